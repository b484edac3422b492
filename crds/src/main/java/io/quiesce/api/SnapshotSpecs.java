package io.quiesce.api;

import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotHooks;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A QuiescedSnapshot's spec as the operator and the node helper read it, with the schema's defaults
 * applied in this one place: an API server that did not default the object (the test API server, an
 * object written before a default existed) gives the same behaviour as one that did.
 */
public final class SnapshotSpecs {
  private SnapshotSpecs() {}

  /** {@code spec.quiesce.mode}; Required by default. */
  public static QuiesceMode mode(QuiescedSnapshot s) {
    QuiesceOptions q = spec(s).getQuiesce();
    return q == null || q.getMode() == null ? QuiesceMode.Required : q.getMode();
  }

  /**
   * {@code spec.quiesce.timeout}; {@value QuiesceOptions#DEFAULT_TIMEOUT} by default.
   *
   * @throws IllegalArgumentException a malformed duration (one the API server did not validate)
   */
  public static Duration quiesceTimeout(QuiescedSnapshot s) {
    QuiesceOptions q = spec(s).getQuiesce();
    return GoDurations.parse(
        q == null || q.getTimeout() == null ? QuiesceOptions.DEFAULT_TIMEOUT : q.getTimeout());
  }

  /** {@code spec.quiesce.mountpoints}; empty (every filesystem) by default. */
  public static List<String> mountpoints(QuiescedSnapshot s) {
    QuiesceOptions q = spec(s).getQuiesce();
    return q == null || q.getMountpoints() == null ? List.of() : q.getMountpoints();
  }

  /** {@code spec.deletionPolicy}; Delete by default. */
  public static DeletionPolicy deletionPolicy(QuiescedSnapshot s) {
    DeletionPolicy p = spec(s).getDeletionPolicy();
    return p == null ? DeletionPolicy.Delete : p;
  }

  /** {@code spec.failureDeadline}; {@value SnapshotOptions#DEFAULT_FAILURE_DEADLINE} by default. */
  public static Duration failureDeadline(QuiescedSnapshot s) {
    String text = spec(s).getFailureDeadline();
    return GoDurations.parse(text == null ? SnapshotOptions.DEFAULT_FAILURE_DEADLINE : text);
  }

  /** Creation time plus failureDeadline. */
  public static Instant deadline(QuiescedSnapshot s) {
    return created(s).plus(failureDeadline(s));
  }

  /** Whether {@code spec.hooks} has any preFreeze or postThaw hook. */
  public static boolean hasHooks(QuiescedSnapshot s) {
    SnapshotHooks hooks = spec(s).getHooks();
    return hooks != null
        && (hooks.getPreFreeze() != null && !hooks.getPreFreeze().isEmpty()
            || hooks.getPostThaw() != null && !hooks.getPostThaw().isEmpty());
  }

  private static final ParseCache<Instant> CREATED = new ParseCache<>(Instant::parse);

  /** The creation timestamp; the epoch for an object not created yet. */
  public static Instant created(QuiescedSnapshot s) {
    String ts = s.getMetadata().getCreationTimestamp();
    return ts == null ? Instant.EPOCH : CREATED.get(ts);
  }

  /** The spec; an empty one when absent. */
  public static QuiescedSnapshotSpec spec(QuiescedSnapshot s) {
    return s.getSpec() == null ? new QuiescedSnapshotSpec() : s.getSpec();
  }
}
