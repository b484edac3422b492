package io.quiesce.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The values of texts parsed before: a snapshot's creation time and its durations are parsed
 * several times per reconcile (admission, deadline, metrics) from a handful of distinct texts in a
 * fire. Bounded: emptied when full. A text that does not parse is not kept (the parser throws
 * again).
 */
final class ParseCache<T> {
  private static final int MAX = 1024;

  private final Map<String, T> values = new ConcurrentHashMap<>();
  private final Function<String, T> parser;

  ParseCache(Function<String, T> parser) {
    this.parser = parser;
  }

  T get(String text) {
    T value = values.get(text);
    if (value == null) {
      value = parser.apply(text);
      if (values.size() >= MAX) {
        values.clear();
      }
      values.put(text, value);
    }
    return value;
  }
}
