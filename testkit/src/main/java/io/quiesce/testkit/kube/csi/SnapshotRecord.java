package io.quiesce.testkit.kube.csi;

import java.time.Instant;
import java.util.Optional;

/**
 * What the {@link FakeSnapshotter} did with one VolumeSnapshot, with precise instants (the API
 * objects only carry whole seconds). {@code cutAt} is taken before {@code status.creationTime} is
 * written, so whoever sees the creation time knows the cut happened no later than that.
 *
 * @param createdAt when the snapshotter first saw the VolumeSnapshot
 * @param contentAt when its content was created and the cut delay started, or null
 * @param cutAt when the storage "cut" it, or null
 * @param cutWrittenAt when {@code status.creationTime} was written (the cut's answer), or null
 * @param readyAt when it became ready to use, or null
 * @param failedAt when its error was reported, or null
 * @param error the reported error message, or null
 */
public record SnapshotRecord(
    String namespace,
    String name,
    String pvc,
    Instant createdAt,
    Instant contentAt,
    Instant cutAt,
    Instant cutWrittenAt,
    Instant readyAt,
    Instant failedAt,
    String error) {

  public Optional<Instant> cut() {
    return Optional.ofNullable(cutAt);
  }

  public Optional<Instant> ready() {
    return Optional.ofNullable(readyAt);
  }

  public Optional<Instant> failed() {
    return Optional.ofNullable(failedAt);
  }

  SnapshotRecord withContent(Instant at) {
    return new SnapshotRecord(
        namespace, name, pvc, createdAt, at, cutAt, cutWrittenAt, readyAt, failedAt, error);
  }

  SnapshotRecord withCut(Instant at) {
    return new SnapshotRecord(
        namespace, name, pvc, createdAt, contentAt, at, cutWrittenAt, readyAt, failedAt, error);
  }

  SnapshotRecord withCutWritten(Instant at) {
    return new SnapshotRecord(
        namespace, name, pvc, createdAt, contentAt, cutAt, at, readyAt, failedAt, error);
  }

  SnapshotRecord withReady(Instant at) {
    return new SnapshotRecord(
        namespace, name, pvc, createdAt, contentAt, cutAt, cutWrittenAt, at, failedAt, error);
  }

  SnapshotRecord withFailure(Instant at, String message) {
    return new SnapshotRecord(
        namespace, name, pvc, createdAt, contentAt, cutAt, cutWrittenAt, readyAt, at, message);
  }
}
