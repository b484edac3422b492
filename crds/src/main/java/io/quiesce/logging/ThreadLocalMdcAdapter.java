package io.quiesce.logging;

import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.helpers.ThreadLocalMapOfStacks;
import org.slf4j.spi.MDCAdapter;

/**
 * The MDC: a plain (not inheritable) thread-local map. SLF4J's {@code BasicMDCAdapter} is inheritable,
 * so a pool thread first started inside a reconcile would carry that snapshot's keys for the rest of
 * its life; here a new thread starts with an empty MDC. Keys are kept sorted so lines read alike.
 */
final class ThreadLocalMdcAdapter implements MDCAdapter {
    private final ThreadLocal<TreeMap<String, String>> map = ThreadLocal.withInitial(TreeMap::new);
    private final ThreadLocalMapOfStacks stacks = new ThreadLocalMapOfStacks();

    @Override
    public void put(String key, String value) {
        if (key == null) {
            throw new IllegalArgumentException("MDC key must not be null");
        }
        if (value == null) {
            map.get().remove(key);
        } else {
            map.get().put(key, value);
        }
    }

    @Override
    public String get(String key) {
        return map.get().get(key);
    }

    @Override
    public void remove(String key) {
        map.get().remove(key);
    }

    @Override
    public void clear() {
        map.remove();
    }

    @Override
    public Map<String, String> getCopyOfContextMap() {
        TreeMap<String, String> current = map.get();
        return current.isEmpty() ? Map.of() : new TreeMap<>(current);
    }

    @Override
    public void setContextMap(Map<String, String> contextMap) {
        TreeMap<String, String> copy = new TreeMap<>();
        contextMap.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        map.set(copy);
    }

    @Override
    public void pushByKey(String key, String value) {
        stacks.pushByKey(key, value);
    }

    @Override
    public String popByKey(String key) {
        return stacks.popByKey(key);
    }

    @Override
    public Deque<String> getCopyOfDequeByKey(String key) {
        return stacks.getCopyOfDequeByKey(key);
    }

    @Override
    public void clearDequeByKey(String key) {
        stacks.clearDequeByKey(key);
    }
}
