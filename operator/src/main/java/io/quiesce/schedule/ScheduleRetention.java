package io.quiesce.schedule;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.GoDurations;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotRetention;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a schedule's retention: {@link RetentionPolicy} decides, this class deletes. Only
 * snapshots the schedule provably created are counted or deleted ({@link
 * ScheduledSnapshotTemplate#created}: its label, name and UID annotations, the UID writable by the
 * operator alone), so snapshots someone else labels as the schedule's neither push real backups out
 * of {@code keepLast} nor get deleted. A group snapshot is counted and deleted as one; deleting it
 * deletes every VolumeSnapshot of every VM of it (its deletionPolicy, as for one VM). A snapshot is
 * deleted only through a DELETE whose precondition is the uid that was judged, so a snapshot
 * deleted and re-created under the same name meanwhile is not touched.
 */
final class ScheduleRetention {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRetention.class);

  /** Names and namespaces come from the API server, but they end up in a URL path: check anyway. */
  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final KubernetesClient client;
  private final Duration timeout;

  ScheduleRetention(KubernetesClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  /**
   * The policy of a schedule's {@code retention}.
   *
   * @throws IllegalArgumentException with a message for the user when a field is invalid
   */
  static RetentionPolicy policyOf(SnapshotRetention retention) {
    if (retention == null) {
      return new RetentionPolicy(null, null, SnapshotRetention.DEFAULT_FAILED_HISTORY_LIMIT);
    }
    Duration maxAge =
        retention.getMaxAge() == null ? null : GoDurations.parse(retention.getMaxAge());
    int failed =
        retention.getFailedHistoryLimit() == null
            ? SnapshotRetention.DEFAULT_FAILED_HISTORY_LIMIT
            : retention.getFailedHistoryLimit();
    return new RetentionPolicy(retention.getKeepLast(), maxAge, failed);
  }

  /**
   * Deletes what {@code policy} says of the schedule's {@code snapshots}.
   *
   * @return the names deleted
   */
  List<String> apply(
      ScheduledSnapshotTemplate template,
      String schedule,
      RetentionPolicy policy,
      Collection<QuiescedSnapshot> snapshots,
      Instant now) {
    Map<String, QuiescedSnapshot> ours =
        snapshots.stream()
            .filter(template::created)
            .filter(s -> s.getMetadata().getDeletionTimestamp() == null)
            .filter(s -> s.getMetadata().getCreationTimestamp() != null && s.getSpec() != null)
            .collect(
                Collectors.toMap(s -> s.getMetadata().getName(), Function.identity(), (a, b) -> a));
    List<RetentionPolicy.SnapshotRecord> records =
        ours.values().stream()
            .map(
                s ->
                    new RetentionPolicy.SnapshotRecord(
                        s.getMetadata().getName(),
                        ScheduleHistory.isGroup(s)
                            ? RetentionPolicy.GROUPS
                            : Objects.requireNonNullElse(s.getSpec().getSource(), ""),
                        schedule,
                        ScheduleHistory.created(s),
                        outcome(ScheduleHistory.phase(s))))
            .toList();
    List<String> deleted = new ArrayList<>();
    for (RetentionPolicy.SnapshotRecord doomed : policy.toDelete(schedule, records, now)) {
      QuiescedSnapshot snapshot = ours.get(doomed.name());
      if (underRestore(snapshot)) {
        LOG.info(
            "retention keeps {}/{} for now: a restore in progress reads it",
            namespace(snapshot),
            doomed.name());
        continue;
      }
      if (template.created(snapshot) && delete(snapshot)) {
        deleted.add(doomed.name());
      }
    }
    return deleted;
  }

  /**
   * A restore in progress holds its source with a finalizer; retention deletes it once that is
   * gone.
   */
  private static boolean underRestore(QuiescedSnapshot snapshot) {
    List<String> finalizers = snapshot.getMetadata().getFinalizers();
    return finalizers != null && finalizers.contains(QuiescedSnapshotRestore.SOURCE_FINALIZER);
  }

  private static String namespace(QuiescedSnapshot snapshot) {
    return snapshot.getMetadata().getNamespace();
  }

  private static RetentionPolicy.Outcome outcome(SnapshotPhase phase) {
    if (phase == SnapshotPhase.Succeeded) {
      return RetentionPolicy.Outcome.SUCCEEDED;
    }
    return phase == SnapshotPhase.Failed
        ? RetentionPolicy.Outcome.FAILED
        : RetentionPolicy.Outcome.IN_PROGRESS;
  }

  /**
   * DELETE with {@code preconditions.uid}; fabric8's DSL only offers a resourceVersion
   * precondition.
   */
  private boolean delete(QuiescedSnapshot snapshot) {
    String namespace = snapshot.getMetadata().getNamespace();
    String name = snapshot.getMetadata().getName();
    if (!DNS_NAME.matcher(namespace).matches() || !DNS_NAME.matcher(name).matches()) {
      LOG.warn("not deleting snapshot with an unexpected name {}/{}", namespace, name);
      return false;
    }
    String master = client.getMasterUrl().toString();
    String url =
        (master.endsWith("/") ? master : master + "/")
            + "apis/"
            + snapshot.getApiVersion()
            + "/namespaces/"
            + namespace
            + "/quiescedsnapshots/"
            + name;
    String body =
        Serialization.asJson(
            new DeleteOptionsBuilder()
                .withNewPreconditions()
                .withUid(snapshot.getMetadata().getUid())
                .endPreconditions()
                .build());
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .delete("application/json", body)
            .build();
    try {
      HttpResponse<String> response =
          client
              .getHttpClient()
              .sendAsync(request, String.class)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.isSuccessful() || response.code() == 404) {
        return response.isSuccessful();
      }
      LOG.warn(
          "retention could not delete {}/{}: HTTP {} {}",
          namespace,
          name,
          response.code(),
          abbreviate(response.body()));
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("retention could not delete {}/{}: {}", namespace, name, e.toString());
      return false;
    }
  }

  private static String abbreviate(String text) {
    return text == null || text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
