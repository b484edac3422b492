package io.quiesce.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Lock;
import java.util.function.Predicate;

/**
 * The open watches of the test API server and the events they are sent.
 *
 * <p>Replaces fabric8's watch listener, which, when a watch closes with events still queued, blocks
 * the server's event loop for 30 s and then rejects events for the closed watch from inside other
 * requests. Here each watch has its own sender thread, closing never waits, and a watch is
 * registered (with what it is owed first) under the same lock as every write, so no event is lost
 * or sent twice. Set-based label selectors are applied to watches too.
 *
 * <p>As kube-apiserver's watch cache: a watch from {@code resourceVersion=N} (an informer's after
 * its list) is first sent the changes after N, in order, from a bounded history of each resource
 * type's changes, or, when N is older than that history, one ERROR event {@code 410 Expired} (the
 * informer then lists again). A watch without a resourceVersion, with {@code 0}, or with {@code
 * sendInitialEvents=true} starts with every matching object as ADDED, as before.
 */
final class WatchStreams {

  /** Changes kept per resource type for watches from a resourceVersion. */
  static final int HISTORY = 1000;

  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

  /**
   * The open watches by the resource (plural) they watch, "" for none named: a change is offered
   * only to the watches of its resource (it was offered to every watch, to match its key).
   */
  private final Map<String, Set<Stream>> byResource = new ConcurrentHashMap<>();

  private final List<String> registered = new CopyOnWriteArrayList<>();
  private final Lock writes;
  private final StoreIndex store;

  /** The recent changes by resource (plural); guarded by {@link #writes}. */
  private final Map<String, History> histories = new HashMap<>();

  private volatile int historyLimit = HISTORY;

  /**
   * The labels of each stored state published with them, by identity of the state (the store keeps
   * the very string published), so that a change's old labels are not parsed from the old state
   * again for every label-selected watch; guarded by {@link #writes}.
   */
  private final Map<String, Map<String, String>> labelsByState = new IdentityHashMap<>();

  /**
   * @param writes the lock every write to the store holds
   * @param store the index of the stored objects
   */
  WatchStreams(Lock writes, StoreIndex store) {
    this.writes = writes;
    this.store = store;
  }

  /**
   * A new watch of the objects matching the query and, if given, the full label selector.
   *
   * @param path the watch request's path, recorded once the watch is registered
   */
  WebSocketListener open(String path, AttributeSet query, String labelSelector) {
    return open(path, query, labelSelector, null);
  }

  /**
   * A new watch of the objects matching the query and, if given, the full label selector, sent
   * first the changes after {@code fromVersion} (null: every matching object as ADDED).
   *
   * @param path the watch request's path, recorded once the watch is registered
   */
  WebSocketListener open(String path, AttributeSet query, String labelSelector, Long fromVersion) {
    return new Stream(
        path,
        query,
        labelSelector == null ? null : LabelSelector.parse(labelSelector),
        fromVersion);
  }

  /** Keeps this many changes per resource type from now on (for tests of expiry). */
  void historyLimit(int limit) {
    historyLimit = limit;
  }

  /** Forgets every change (the store was reset); call with the write lock held. */
  void clearHistory() {
    histories.clear();
    labelsByState.clear();
  }

  /**
   * Ends every open watch after the events already queued, as kube-apiserver ends a watch at its
   * timeout: clients watch again from the last version they saw.
   */
  void endAll() {
    streams.forEach(Stream::end);
  }

  /**
   * The paths of the watches registered so far, in order (closed ones too). A watch sees every
   * change made after its registration; a request counted is not registered yet.
   */
  List<String> registered() {
    return List.copyOf(registered);
  }

  /**
   * Tells every watch about a change and keeps it in its resource's history; call with the write
   * lock held, in the order of the resourceVersions.
   *
   * @param resourceVersion the change's version: the new state's, or for a deletion one of its own
   * @param newLabels the new state's labels if known, else null (parsed from it when needed)
   */
  void publish(
      long resourceVersion,
      AttributeSet oldKey,
      String oldState,
      AttributeSet newKey,
      String newState,
      Map<String, String> newLabels) {
    Change change = new Change(resourceVersion, oldKey, oldState, newKey, newState);
    change.newLabels = newLabels;
    change.oldLabels = oldState == null ? null : labelsByState.remove(oldState);
    if (newState != null && newLabels != null) {
      labelsByState.put(newState, newLabels);
    }
    String resource = StoreIndex.resourceOf(newKey != null ? newKey : oldKey);
    histories.computeIfAbsent(resource, r -> new History()).add(change, historyLimit);
    for (String watched : resource.isEmpty() ? List.of("") : List.of(resource, "")) {
      Set<Stream> watching = byResource.get(watched);
      if (watching != null) {
        watching.forEach(stream -> stream.publish(change));
      }
    }
  }

  /**
   * The stored state was replaced by an equal one (nothing to publish): its labels go with it. Call
   * with the write lock held.
   */
  void restated(String oldState, String newState) {
    Map<String, String> labels = labelsByState.remove(oldState);
    if (labels != null) {
      labelsByState.put(newState, labels);
    }
  }

  /** One resource type's recent changes, oldest first. */
  private static final class History {
    private final ArrayDeque<Change> changes = new ArrayDeque<>();

    /** The version up to which changes were dropped: a watch from before it has missed some. */
    private long compactedThrough;

    void add(Change change, int limit) {
      changes.addLast(change);
      while (changes.size() > limit) {
        compactedThrough = changes.removeFirst().resourceVersion;
      }
    }
  }

  /**
   * One change of the store as every watch sees it: its labels parsed and each event's frame
   * encoded at most once, however many watches match it (they were once per watch).
   */
  private static final class Change {
    final long resourceVersion;
    final AttributeSet oldKey;
    final String oldState;
    final AttributeSet newKey;
    final String newState;
    private Map<String, String> oldLabels;
    private Map<String, String> newLabels;
    private final Map<String, byte[]> frames = new HashMap<>(4);

    Change(
        long resourceVersion,
        AttributeSet oldKey,
        String oldState,
        AttributeSet newKey,
        String newState) {
      this.resourceVersion = resourceVersion;
      this.oldKey = oldKey;
      this.oldState = oldState;
      this.newKey = newKey;
      this.newState = newState;
    }

    synchronized Map<String, String> oldLabels() {
      if (oldLabels == null) {
        oldLabels = labelsOf(oldState);
      }
      return oldLabels;
    }

    synchronized Map<String, String> newLabels() {
      if (newLabels == null) {
        newLabels = labelsOf(newState);
      }
      return newLabels;
    }

    synchronized byte[] frame(String type) {
      return frames.computeIfAbsent(
          type,
          t ->
              event(
                  t,
                  t.equals("DELETED") ? withResourceVersion(oldState, resourceVersion) : newState));
    }
  }

  void closeAll() {
    streams.forEach(Stream::stop);
  }

  private final class Stream extends WebSocketListener {
    private final String path;
    private final AttributeSet query;
    private final Predicate<Map<String, String>> labels;
    private final ExecutorService sender =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "kube-api-watch");
              thread.setDaemon(true);
              return thread;
            });
    private final Long fromVersion;
    private final String resource;
    private volatile WebSocket socket;

    Stream(
        String path, AttributeSet query, Predicate<Map<String, String>> labels, Long fromVersion) {
      this.path = path;
      this.query = query;
      this.labels = labels;
      this.fromVersion = fromVersion;
      this.resource = StoreIndex.resourceOf(query);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      writes.lock();
      try {
        if (fromVersion == null) {
          // like fabric8's mock, a new watch starts with every matching object as ADDED
          store.candidates(query).stream()
              .filter(e -> matches(e.getKey(), e.getValue()))
              .forEach(e -> send(event("ADDED", e.getValue())));
        } else {
          History history = histories.get(resource);
          if (history != null && fromVersion < history.compactedThrough) {
            send(expired(fromVersion, history.compactedThrough + 1));
            end();
            return;
          }
          if (history != null) {
            history.changes.stream()
                .filter(c -> c.resourceVersion > fromVersion)
                .forEach(this::publish);
          }
        }
        streams.add(this);
        byResource.computeIfAbsent(resource, r -> ConcurrentHashMap.newKeySet()).add(this);
        registered.add(path);
      } finally {
        writes.unlock();
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      // after the events already queued
      submit(() -> webSocket.close(code, reason));
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      stop();
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
      stop();
      webSocket.close(1011, "watch failed");
    }

    void stop() {
      forget();
      sender.shutdown();
    }

    private void forget() {
      streams.remove(this);
      Set<Stream> watching = byResource.get(resource);
      if (watching != null) {
        watching.remove(this);
      }
    }

    /** Closes the watch after the events already queued. */
    void end() {
      forget();
      WebSocket open = socket;
      if (open != null) {
        submit(() -> open.close(1000, "watch ended"));
      }
      sender.shutdown();
    }

    void publish(Change c) {
      boolean matchedBefore =
          c.oldKey != null
              && c.oldKey.matches(query)
              && (labels == null || labels.test(c.oldLabels()));
      boolean matchesNow =
          c.newKey != null
              && c.newKey.matches(query)
              && (labels == null || labels.test(c.newLabels()));
      if (matchedBefore && matchesNow) {
        send(c.frame("MODIFIED"));
      } else if (matchedBefore) {
        send(c.frame("DELETED"));
      } else if (matchesNow) {
        send(c.frame("ADDED"));
      }
    }

    private boolean matches(AttributeSet key, String object) {
      return key.matches(query) && (labels == null || labels.test(labelsOf(object)));
    }

    private void send(byte[] event) {
      submit(() -> socket.send(event));
    }

    private void submit(Runnable task) {
      try {
        sender.execute(task);
      } catch (RejectedExecutionException e) {
        // the watch is closed: nobody is listening any more
      }
    }
  }

  /**
   * A watch event's frame: binary frames of UTF-8 JSON, which fabric8's watch reads like text: the
   * JDK WebSocket client now and then failed a burst of text frames from this server with "Invalid
   * UTF-8 in frame TEXT" although every event is ASCII, which stopped the informer and JOSDK then
   * exits the JVM (seen in about one full run in three).
   */
  private static byte[] event(String type, String object) {
    return ("{\"type\":\"" + type + "\",\"object\":" + object + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The ERROR event kube-apiserver sends a watch from a version older than its history. */
  private static byte[] expired(long requested, long oldest) {
    return ("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: "
            + requested
            + " ("
            + oldest
            + ")\",\"reason\":\"Expired\",\"code\":410}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A deleted object as its DELETED event carries it: with the deletion's resourceVersion, as
   * kube-apiserver sends it, so a client that watches again from it does not see it deleted twice.
   */
  private static String withResourceVersion(String object, long resourceVersion) {
    try {
      ObjectNode node = (ObjectNode) Serialization.jsonMapper().readTree(object);
      JsonNode metadata = node.get("metadata");
      if (metadata instanceof ObjectNode m) {
        m.put("resourceVersion", String.valueOf(resourceVersion));
      }
      return node.toString();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored object is not JSON", e);
    }
  }

  private static Map<String, String> labelsOf(String object) {
    Map<String, String> labels = new HashMap<>();
    try {
      Serialization.jsonMapper()
          .readTree(object)
          .path("metadata")
          .path("labels")
          .properties()
          .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored object is not JSON", e);
    }
    return labels;
  }
}
