package io.quiesce.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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
 * registered (with the replay of the objects it matches) under the same lock as every write, so no
 * event is lost or sent twice. Set-based label selectors are applied to watches too.
 */
final class WatchStreams {

  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final List<String> registered = new CopyOnWriteArrayList<>();
  private final Lock writes;
  private final StoreIndex store;

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
    return new Stream(
        path, query, labelSelector == null ? null : LabelSelector.parse(labelSelector));
  }

  /**
   * The paths of the watches registered so far, in order (closed ones too). A watch sees every
   * change made after its registration; a request counted is not registered yet.
   */
  List<String> registered() {
    return List.copyOf(registered);
  }

  /** Tells every watch about a change; call with the write lock held. */
  void publish(AttributeSet oldKey, String oldState, AttributeSet newKey, String newState) {
    Change change = new Change(oldKey, oldState, newKey, newState);
    streams.forEach(stream -> stream.publish(change));
  }

  /**
   * One change of the store as every watch sees it: its labels parsed and each event's frame
   * encoded at most once, however many watches match it (they were once per watch).
   */
  private static final class Change {
    final AttributeSet oldKey;
    final String oldState;
    final AttributeSet newKey;
    final String newState;
    private Map<String, String> oldLabels;
    private Map<String, String> newLabels;
    private final Map<String, byte[]> frames = new HashMap<>(4);

    Change(AttributeSet oldKey, String oldState, AttributeSet newKey, String newState) {
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
      return frames.computeIfAbsent(type, t -> event(t, t.equals("DELETED") ? oldState : newState));
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
    private volatile WebSocket socket;

    Stream(String path, AttributeSet query, Predicate<Map<String, String>> labels) {
      this.path = path;
      this.query = query;
      this.labels = labels;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      writes.lock();
      try {
        // like fabric8's mock, a new watch starts with every matching object as ADDED
        store.candidates(query).stream()
            .filter(e -> matches(e.getKey(), e.getValue()))
            .forEach(e -> send(event("ADDED", e.getValue())));
        streams.add(this);
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
      streams.remove(this);
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
