package io.quiesce.plugin;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.InPlaceTarget;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreStatus;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoreTarget;
import io.quiesce.api.v1alpha1.RestoredMember;
import io.quiesce.api.v1alpha1.RestoredVolume;
import io.quiesce.naming.ChildNames;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code kubectl quiesce restore SNAPSHOT}: creates a QuiescedSnapshotRestore (of one VM or of a
 * group snapshot's members) and, with {@code --wait}, follows it with a watch to its end, printing
 * each phase and then what was restored where. The operator does the restore; the plugin only
 * writes the object, so it needs only {@code create} (and {@code get/list/watch}) on restores.
 */
final class RestoreCommand {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * What to restore where.
   *
   * @param newVm the new VM's name (a group's: the prefix of its members' new VMs), or empty for in
   *     place
   * @param stopVm in place: let the restore stop a running VM
   * @param members a group's members to restore; empty for all it cut
   */
  record Options(
      Optional<String> newVm, boolean stopVm, List<String> members, boolean allowCrashConsistent) {}

  private final KubernetesClient client;
  private final String namespace;
  private final PrintStream out;
  private final Clock clock;
  private final PluginCommands commands;

  RestoreCommand(
      KubernetesClient client,
      String namespace,
      PrintStream out,
      Clock clock,
      PluginCommands commands) {
    this.client = client;
    this.namespace = namespace;
    this.out = out;
    this.clock = clock;
    this.commands = commands;
  }

  int restore(String snapshot, Options options, boolean wait, Duration timeout)
      throws PluginException {
    QuiescedSnapshot source =
        client.resources(QuiescedSnapshot.class).inNamespace(namespace).withName(snapshot).get();
    if (source == null) {
      throw new PluginException(
          PluginException.FAILED,
          "quiescedsnapshot \"" + snapshot + "\" not found in namespace " + namespace);
    }
    if (!options.members().isEmpty() && !GroupView.isGroup(source)) {
      throw new PluginException(
          PluginException.USAGE,
          "--members picks VMs of a group snapshot; " + snapshot + " is of one VM");
    }
    QuiescedSnapshotRestore restore = new QuiescedSnapshotRestore();
    // a DNS label whatever the snapshot's name: <snapshot>-restore-<time>, hashed when too long
    restore
        .getMetadata()
        .setName(ChildNames.labelValue(snapshot + "-restore-" + STAMP.format(clock.instant())));
    restore.getMetadata().setNamespace(namespace);
    QuiescedSnapshotRestoreSpec spec = new QuiescedSnapshotRestoreSpec();
    spec.setSource(snapshot);
    RestoreTarget target = new RestoreTarget();
    if (options.newVm().isPresent()) {
      NewVmTarget newVm = new NewVmTarget();
      newVm.setName(options.newVm().get());
      target.setNewVM(newVm);
    } else {
      InPlaceTarget inPlace = new InPlaceTarget();
      inPlace.setStopVM(options.stopVm() ? true : null);
      target.setInPlace(inPlace);
    }
    spec.setTarget(target);
    spec.setMembers(options.members().isEmpty() ? null : options.members());
    spec.setAllowCrashConsistent(options.allowCrashConsistent() ? true : null);
    restore.setSpec(spec);
    QuiescedSnapshotRestore created = client.resource(restore).create();
    String name = created.getMetadata().getName();
    out.println("quiescedsnapshotrestore.quiesce.io/" + name + " created");
    return wait ? follow(name, timeout) : 0;
  }

  private int follow(String name, Duration timeout) throws PluginException {
    try (Follower<QuiescedSnapshotRestore> follower =
        new Follower<>(
            client.resources(QuiescedSnapshotRestore.class).inNamespace(namespace).withName(name),
            clock)) {
      QuiescedSnapshotRestoreStatus status =
          follower
              .followToEnd(
                  "restore " + name,
                  "kubectl get qrestore " + name,
                  timeout,
                  r ->
                      r.getStatus() == null || r.getStatus().getPhase() == null
                          ? "Pending"
                          : r.getStatus().getPhase().name(),
                  r ->
                      r.getStatus() == null || r.getStatus().getReason() == null
                          ? ""
                          : "  (" + r.getStatus().getReason() + ")",
                  r ->
                      r.getStatus() != null
                          && (r.getStatus().getPhase() == RestorePhase.Succeeded
                              || r.getStatus().getPhase() == RestorePhase.Failed),
                  line -> out.println(commands.clockTime() + "  " + line))
              .getStatus();
      printResult(status);
      if (status.getPhase() == RestorePhase.Failed) {
        throw new PluginException(
            PluginException.FAILED,
            "restore "
                + name
                + " failed ("
                + status.getReason()
                + "): "
                + Objects.toString(status.getMessage(), ""));
      }
      return 0;
    }
  }

  /** What went where: per member for a group, else the one VM. */
  private void printResult(QuiescedSnapshotRestoreStatus status) {
    if (status.getMembers() != null) {
      for (RestoredMember m : status.getMembers()) {
        out.println(
            m.getVm()
                + " -> virtualmachine/"
                + Objects.toString(m.getTargetVM(), "-")
                + "  "
                + Objects.toString(m.getPhase(), "Pending")
                + volumes(m.getVolumes())
                + (m.getPhase() == RestorePhase.Failed ? "  " + m.getMessage() : ""));
      }
    } else if (status.getTargetVM() != null) {
      out.println(
          "virtualmachine/"
              + status.getTargetVM()
              + "  "
              + status.getPhase()
              + volumes(status.getVolumes()));
    }
  }

  private static String volumes(List<RestoredVolume> volumes) {
    if (volumes == null || volumes.isEmpty()) {
      return "";
    }
    return "  "
        + String.join(
            ", ",
            volumes.stream()
                .map(v -> v.getVolume() + " -> pvc/" + v.getPersistentVolumeClaim())
                .toList());
  }
}
