package io.quiesce.sandbox;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.naming.Provenance;
import io.quiesce.status.Conditions;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One QuiescedSnapshot as the watch shows it, like a row of {@code kubectl get qsnap -w}.
 *
 * @param fire the scheduled minute the snapshot belongs to ({@code yyyyMMdd-HHmm} from its name)
 * @param vm the VM ({@code quiesce.io/vm}), or a group's VMs joined by {@code +}
 * @param frozenMs {@code status.freeze.durationMs} (a group's {@code commonWindow.durationMs}),
 *     null until the window has ended
 * @param volumeSnapshots names of its VolumeSnapshots (a group's: every member's)
 * @param group a group snapshot's windows, null for a snapshot of one VM
 * @param hooked whether the snapshot's spec has preFreeze hooks
 */
record SnapshotRow(
    String name,
    String vm,
    String fire,
    SnapshotPhase phase,
    Consistency consistency,
    Long frozenMs,
    List<String> volumeSnapshots,
    String reason,
    GroupWindows group,
    boolean hooked) {

  static final String HEADER =
      String.format(
          "%-40s %-10s %-11s %-22s %-9s %s",
          "NAME", "VM", "PHASE", "CONSISTENCY", "FROZEN", "REASON");

  SnapshotRow(
      String name,
      String vm,
      String fire,
      SnapshotPhase phase,
      Consistency consistency,
      Long frozenMs,
      List<String> volumeSnapshots) {
    this(name, vm, fire, phase, consistency, frozenMs, volumeSnapshots, null, null);
  }

  SnapshotRow(
      String name,
      String vm,
      String fire,
      SnapshotPhase phase,
      Consistency consistency,
      Long frozenMs,
      List<String> volumeSnapshots,
      String reason) {
    this(name, vm, fire, phase, consistency, frozenMs, volumeSnapshots, reason, null);
  }

  SnapshotRow(
      String name,
      String vm,
      String fire,
      SnapshotPhase phase,
      Consistency consistency,
      Long frozenMs,
      List<String> volumeSnapshots,
      String reason,
      GroupWindows group) {
    this(name, vm, fire, phase, consistency, frozenMs, volumeSnapshots, reason, group, false);
  }

  /** Scheduled snapshot names end with the fire's minute (see ChildNames#scheduledSnapshot). */
  private static final Pattern FIRE_SUFFIX = Pattern.compile("(\\d{8}-\\d{4})$");

  static SnapshotRow of(QuiescedSnapshot snapshot) {
    String name = snapshot.getMetadata().getName();
    Matcher m = FIRE_SUFFIX.matcher(name);
    String fire = m.find() ? m.group(1) : snapshot.getMetadata().getCreationTimestamp();
    boolean isGroup = snapshot.getSpec() != null && snapshot.getSpec().getSources() != null;
    boolean hooked =
        snapshot.getSpec() != null
            && snapshot.getSpec().getHooks() != null
            && snapshot.getSpec().getHooks().getPreFreeze() != null
            && !snapshot.getSpec().getHooks().getPreFreeze().isEmpty();
    String vm =
        isGroup && snapshot.getSpec().getSources().getVms() != null
            ? String.join("+", snapshot.getSpec().getSources().getVms())
            : Optional.ofNullable(snapshot.getMetadata().getLabels())
                .map(l -> l.get(Provenance.VM))
                .orElse("?");
    var status = snapshot.getStatus();
    if (status == null) {
      return new SnapshotRow(name, vm, fire, null, null, null, List.of(), null, null, hooked);
    }
    GroupWindows group =
        isGroup ? GroupWindows.of(status.getMembers(), status.getCommonWindow()) : null;
    Long frozen =
        isGroup
            ? group.commonMs()
            : status.getFreeze() == null ? null : status.getFreeze().getDurationMs();
    List<VolumeSnapshotRecord> records =
        isGroup
            ? Optional.ofNullable(status.getMembers()).orElse(List.of()).stream()
                .flatMap(
                    member ->
                        Optional.ofNullable(member.getVolumeSnapshots()).orElse(List.of()).stream())
                .toList()
            : Optional.ofNullable(status.getVolumeSnapshots()).orElse(List.of());
    List<String> volumeSnapshots =
        records.stream()
            .map(VolumeSnapshotRecord::getVolumeSnapshotName)
            .filter(java.util.Objects::nonNull)
            .toList();
    // why it failed, else the consistency's reason (Frozen, FreezeNotConfirmed, ...)
    String reason =
        status.getPhase() == SnapshotPhase.Failed
            ? Conditions.find(status.getConditions(), "Failed").map(c -> c.getReason()).orElse(null)
            : status.getConsistencyReason();
    return new SnapshotRow(
        name,
        vm,
        fire,
        status.getPhase(),
        status.getConsistency(),
        frozen,
        volumeSnapshots,
        reason,
        group,
        hooked);
  }

  boolean terminal() {
    return phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
  }

  boolean filesystemConsistent() {
    return consistency == Consistency.FilesystemConsistent;
  }

  /** The columns the watch prints; a row is printed again only when this changes. */
  String line() {
    return String.format(
        "%-40s %-10s %-11s %-22s %-9s %s",
        name,
        vm,
        text(phase),
        text(consistency),
        frozenMs == null ? "-" : frozenMs + " ms",
        text(reason));
  }

  private static String text(Object value) {
    return value == null ? "-" : value.toString();
  }
}
