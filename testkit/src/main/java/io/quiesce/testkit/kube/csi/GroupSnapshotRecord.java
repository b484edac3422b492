package io.quiesce.testkit.kube.csi;

import java.time.Instant;
import java.util.List;

/**
 * What the {@link FakeGroupSnapshotter} did with one VolumeGroupSnapshot, with precise instants.
 * {@code cutAt} is taken before any {@code creationTime} is written.
 *
 * @param members the member VolumeSnapshots it created, in PVC order
 * @param pvcs the PVCs the selector matched
 */
public record GroupSnapshotRecord(
    String namespace,
    String name,
    List<String> pvcs,
    List<String> members,
    Instant seenAt,
    Instant cutAt,
    Instant readyAt,
    String error) {

  GroupSnapshotRecord cut(List<String> pvcs, List<String> members, Instant at) {
    return new GroupSnapshotRecord(namespace, name, pvcs, members, seenAt, at, readyAt, error);
  }

  GroupSnapshotRecord ready(Instant at) {
    return new GroupSnapshotRecord(namespace, name, pvcs, members, seenAt, cutAt, at, error);
  }

  GroupSnapshotRecord failed(String message) {
    return new GroupSnapshotRecord(namespace, name, pvcs, members, seenAt, cutAt, readyAt, message);
  }
}
