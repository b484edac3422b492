package io.quiesce.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.kube.DirectWrites;
import io.quiesce.status.BoundedText;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one recorder of Kubernetes Events ({@code core/v1}) for the operator (QuiescedSnapshots,
 * schedules) and the node helper. Like client-go's recorder, a repeat is aggregated into the Event
 * already there instead of a new one: each (object, type, reason, reporter) has one Event with a
 * stable name, and a repeat patches it (count + 1, lastTimestamp, the latest message). So a
 * snapshot that waits for a slot for an hour has one {@code WaitingForFreezeSlot} Event with a
 * count, not hundreds.
 *
 * <p>Needs only {@code create} and {@code patch} on events (the chart's Roles): the count of an
 * Event this process has not seen (after a restart) is read from the reply to a patch. Each write
 * is one request of {@link DirectWrites}; a create's reply is not read. Best effort: a failed write
 * is logged, never thrown.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int CACHE_SIZE = 4096;
  private static final int MAX_MESSAGE = 1024;

  /** Room in an Event name (253) for the object's name, a dot and the 16-character key. */
  private static final int MAX_OBJECT_NAME = 236;

  /**
   * Who reports.
   *
   * @param component {@code source.component}, e.g. {@code quiesce-operator}
   * @param host {@code source.host}: the node, for the node helper; null for the operator
   * @param reportingComponent {@code reportingComponent}
   * @param reportingInstance {@code reportingInstance}: the pod or node
   */
  public record Reporter(
      String component, String host, String reportingComponent, String reportingInstance) {
    /** The operator, as {@code instance} (its pod; null when unknown). */
    public static Reporter operator(String instance) {
      return new Reporter("quiesce-operator", null, "quiesce.io/operator", instance);
    }

    /** The node helper on {@code node}. */
    public static Reporter nodeHelper(String node) {
      return new Reporter(
          "quiesce-node-helper", node, "quiesce-node-helper", "quiesce-node-helper-" + node);
    }
  }

  private final KubernetesClient client;
  private final DirectWrites writes;
  private final Reporter reporter;
  private final Clock clock;
  private final Executor sender;

  /** The count last written per Event name, so that a repeat costs one patch. */
  private final Map<String, Integer> counts =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
              return size() > CACHE_SIZE;
            }
          });

  /**
   * @param sender runs each write: {@code Runnable::run} writes in the caller's thread; the node
   *     helper passes a background thread, since an Event is never worth a millisecond of a frozen
   *     guest
   */
  public EventRecorder(KubernetesClient client, Reporter reporter, Clock clock, Executor sender) {
    this.client = client;
    this.writes = new DirectWrites(client);
    this.reporter = reporter;
    this.clock = clock;
    this.sender = sender;
  }

  public void normal(HasMetadata on, String reason, String message) {
    record(on, false, reason, message);
  }

  public void warning(HasMetadata on, String reason, String message) {
    record(on, true, reason, message);
  }

  /** Records (or aggregates into) the Event of {@code reason} on {@code on}. */
  public void record(HasMetadata on, boolean warning, String reason, String message) {
    String type = warning ? "Warning" : "Normal";
    submit(on, type, reason, message, name(on, type, reason));
  }

  /**
   * Records an Event of its own for one occurrence (e.g. a request's token), never aggregated with
   * another occurrence's: an audit trail where each keeps its message. The same occurrence again
   * counts up its own Event.
   */
  public void recordOccurrence(
      HasMetadata on, boolean warning, String reason, String occurrence, String message) {
    String type = warning ? "Warning" : "Normal";
    submit(on, type, reason, message, name(on, type, reason + "\n" + occurrence));
  }

  private void submit(HasMetadata on, String type, String reason, String message, String name) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    String text = BoundedText.bound(message, MAX_MESSAGE);
    try {
      sender.execute(() -> write(on, name, type, reason, text, now));
    } catch (RejectedExecutionException e) {
      LOG.debug("stopping; Event {} dropped", reason);
    }
  }

  /** The stable name of the Event of (object, type, reason, reporter). */
  public String name(HasMetadata on, String type, String reason) {
    String objectName = on.getMetadata().getName();
    if (objectName.length() > MAX_OBJECT_NAME) {
      objectName = objectName.substring(0, MAX_OBJECT_NAME);
    }
    String key =
        String.join(
            "\n",
            on.getKind(),
            on.getMetadata().getNamespace(),
            on.getMetadata().getName(),
            String.valueOf(on.getMetadata().getUid()),
            type,
            reason,
            reporter.component(),
            String.valueOf(reporter.host()));
    return objectName.toLowerCase(Locale.ROOT) + "." + sha256(key).substring(0, 16);
  }

  private void write(
      HasMetadata on, String name, String type, String reason, String message, String now) {
    String namespace = on.getMetadata().getNamespace();
    String event = writes.url(Event.class, namespace, name, null);
    try {
      Integer seen = counts.get(name);
      if (seen == null) {
        try {
          writes.create(collection(namespace), event(on, name, type, reason, message, now));
          counts.put(name, 1);
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
            throw e;
          }
          // written before this process started: the reply to a patch says its count
          Event existing = writes.mergePatch(event, json(Map.of("message", message)), Event.class);
          seen = existing.getCount() == null ? 1 : existing.getCount();
        }
      }
      int count = seen + 1;
      try {
        writes.mergePatch(
            event,
            json(Map.of("count", count, "lastTimestamp", now, "message", message)),
            Event.class);
        counts.put(name, count);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
        // the Event expired (the API server keeps Events about an hour): a new series
        writes.create(collection(namespace), event(on, name, type, reason, message, now));
        counts.put(name, 1);
      }
    } catch (KubernetesClientException e) {
      counts.remove(name);
      LOG.warn(
          "could not record Event {} on {} {}/{}: {}",
          reason,
          on.getKind(),
          namespace,
          on.getMetadata().getName(),
          e.getMessage());
    }
  }

  private Event event(
      HasMetadata on, String name, String type, String reason, String message, String now) {
    return new EventBuilder()
        .withNewMetadata()
        .withNamespace(on.getMetadata().getNamespace())
        .withName(name)
        .endMetadata()
        .withInvolvedObject(
            new ObjectReferenceBuilder()
                .withApiVersion(on.getApiVersion())
                .withKind(on.getKind())
                .withNamespace(on.getMetadata().getNamespace())
                .withName(on.getMetadata().getName())
                .withUid(on.getMetadata().getUid())
                .withResourceVersion(on.getMetadata().getResourceVersion())
                .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource()
        .withComponent(reporter.component())
        .withHost(reporter.host())
        .endSource()
        .withReportingComponent(reporter.reportingComponent())
        .withReportingInstance(reporter.reportingInstance())
        .build();
  }

  /** Where an Event is created: one request, its reply not read (see {@link DirectWrites}). */
  private String collection(String namespace) {
    return writes.url(Event.class, namespace, null, null);
  }

  private String json(Map<String, Object> patch) {
    return client.getKubernetesSerialization().asJson(patch);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
