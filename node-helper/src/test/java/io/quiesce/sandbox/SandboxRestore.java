package io.quiesce.sandbox;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoreTarget;
import io.quiesce.api.v1alpha1.RunStrategy;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.GuestShell;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.WriterRecordCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The sandbox's restore (hack/sandbox.sh --restore): suspends the schedule and waits until no
 * snapshot runs, restores guest 1's VM from its last snapshot into a new VM through a
 * QuiescedSnapshotRestore (the operator does the restore), plays a FAKE CSI provisioner that makes
 * each restored PVC's image as a copy of its VolumeSnapshot's image, checks the restored data disk
 * with {@code e2fsck -fn}, boots a new guest from it and checks the writer's last record on it
 * against guest 1's console (the last freeze's bracket, {@link WriterRecordCheck}). Prints the
 * result and appends it to summary.txt.
 *
 * <p>Usage: {@code SandboxRestore <sandbox dir> <guest dir>}; talks to {@code -Dkubernetes.master}.
 * Exits 0 only when the restore Succeeded, the disk is clean and the writer record check holds.
 */
public final class SandboxRestore {
  static final String VM = "guest-1";
  static final String RESTORED_VM = "guest-1-restored";
  static final String RESTORE = "restore-guest-1";

  /** The seed's data-disk volume of each sandbox VM (the one backed by the guest's real image). */
  static final String DATA_VOLUME = "data";

  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final Pattern PVC_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private SandboxRestore() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SandboxRestore <sandbox dir> <guest dir>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath().normalize();
    Path guestDir = Path.of(args[1]).toAbsolutePath().normalize();
    List<String> summary = new ArrayList<>();
    boolean ok;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      ok = run(client, dir, guestDir, summary);
    } catch (RuntimeException e) {
      summary.add("restore: FAILED: " + e.getMessage());
      ok = false;
    }
    String text = "\n" + String.join("\n", summary) + "\n";
    System.out.print(text);
    Files.writeString(
        dir.resolve("summary.txt"),
        text,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    System.exit(ok ? 0 : 1);
  }

  private static boolean run(KubernetesClient client, Path dir, Path guestDir, List<String> summary)
      throws Exception {
    String ns = Sandbox.NAMESPACE;
    // every schedule of the sandbox (with the hooks and without): no fire during the restore
    for (String schedule : List.of(Sandbox.SCHEDULE, Sandbox.SCHEDULE_WITHOUT_HOOKS)) {
      var resource =
          client.resources(QuiescedSnapshotSchedule.class).inNamespace(ns).withName(schedule);
      if (resource.get() != null) {
        resource.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true}}");
      }
    }
    QuiescedSnapshot last = awaitQuietThenLast(client, ns);
    summary.add(
        "restore: "
            + VM
            + " from its last snapshot "
            + last.getMetadata().getName()
            + " ("
            + last.getStatus().getPhase()
            + ", "
            + last.getStatus().getConsistency()
            + ", frozen "
            + (last.getStatus().getFreeze() == null
                ? "-"
                : last.getStatus().getFreeze().getDurationMs())
            + " ms)"
            + " into new VM "
            + RESTORED_VM);
    if (last.getStatus().getPhase() != SnapshotPhase.Succeeded
        || last.getStatus().getConsistency() != Consistency.FilesystemConsistent) {
      summary.add("restore: FAILED: the last snapshot is not a Succeeded FilesystemConsistent one");
      return false;
    }
    client.resource(restore(ns, last.getMetadata().getName())).create();
    QuiescedSnapshotRestore done = provisionUntilFinished(client, dir, ns);
    summary.add(
        "restore: "
            + RESTORE
            + " "
            + done.getStatus().getPhase()
            + " ("
            + done.getStatus().getReason()
            + "): "
            + done.getStatus().getMessage());
    if (done.getStatus().getPhase() != RestorePhase.Succeeded) {
      return false;
    }
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(ns).withName(RESTORED_VM).require();
    String claim =
        vm.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> DATA_VOLUME.equals(v.getName()))
            .findFirst()
            .flatMap(v -> v.claimName())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        RESTORED_VM + " has no PVC-backed volume " + DATA_VOLUME));
    Path image =
        Path.of(
            client
                .persistentVolumeClaims()
                .inNamespace(ns)
                .withName(claim)
                .require()
                .getMetadata()
                .getAnnotations()
                .get(Sandbox.IMAGE_ANNOTATION));
    ProcessResult fsck = DiskImages.e2fsck(image);
    boolean clean = fsck.exitCode() == 0;
    summary.add(
        "restore: restored data disk "
            + image.getFileName()
            + " (PVC "
            + claim
            + "): e2fsck -fn "
            + (clean ? "clean" : "NOT clean (exit " + fsck.exitCode() + ")"));
    String journal;
    Instant bootStart = Instant.now();
    try (GuestVm restored = GuestVm.bootFrom(image);
        QgaClient agent = new QgaClient(restored.agentSocket())) {
      journal =
          GuestShell.output(
              (command, arguments) -> agent.execute(command, arguments, Duration.ofSeconds(5)),
              "tail -n 1 /data/journal.log");
      summary.add(
          "restore: a new guest booted from the restored image in "
              + Duration.between(bootStart, Instant.now()).toMillis()
              + " ms and read /data/journal.log");
    }
    String console = Files.readString(guestDir.resolve("console.log"));
    WriterRecordCheck check = WriterRecordCheck.of(console, journal);
    summary.add("restore: " + check.summary());
    return clean && check.holds();
  }

  /** Waits until no snapshot is Pending or InProgress, then the newest snapshot of {@link #VM}. */
  private static QuiescedSnapshot awaitQuietThenLast(KubernetesClient client, String ns) {
    List<QuiescedSnapshot> all =
        await("no snapshot runs after the schedule was suspended")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> client.resources(QuiescedSnapshot.class).inNamespace(ns).list().getItems(),
                list ->
                    list.stream()
                        .noneMatch(
                            s ->
                                s.getStatus() == null
                                    || s.getStatus().getPhase() == null
                                    || s.getStatus().getPhase() == SnapshotPhase.Pending
                                    || s.getStatus().getPhase() == SnapshotPhase.InProgress));
    return all.stream()
        .filter(s -> VM.equals(s.getSpec().getSource()))
        .max(
            Comparator.comparing((QuiescedSnapshot s) -> s.getMetadata().getCreationTimestamp())
                .thenComparing(s -> s.getMetadata().getName()))
        .orElseThrow(() -> new IllegalStateException("no snapshot of " + VM));
  }

  private static QuiescedSnapshotRestore restore(String ns, String snapshot) {
    NewVmTarget target = new NewVmTarget();
    target.setName(RESTORED_VM);
    target.setRunStrategy(
        RunStrategy.Halted); // the sandbox has no virt-controller to run it; the check boots it
    RestoreTarget t = new RestoreTarget();
    t.setNewVM(target);
    QuiescedSnapshotRestoreSpec spec = new QuiescedSnapshotRestoreSpec();
    spec.setSource(snapshot);
    spec.setTarget(t);
    QuiescedSnapshotRestore r = new QuiescedSnapshotRestore();
    r.getMetadata().setName(RESTORE);
    r.getMetadata().setNamespace(ns);
    r.setSpec(spec);
    return r;
  }

  /**
   * The FAKE provisioner (no CSI driver here): binds every PVC the restore created once its image,
   * a copy of its VolumeSnapshot's image, is complete; returns the restore once it finished.
   */
  private static QuiescedSnapshotRestore provisionUntilFinished(
      KubernetesClient client, Path dir, String ns) throws Exception {
    Path restoredDir = dir.resolve("restored");
    Files.createDirectories(restoredDir);
    return await("the restore finishes")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              provisionOnce(client, dir, restoredDir, ns);
              return client
                  .resources(QuiescedSnapshotRestore.class)
                  .inNamespace(ns)
                  .withName(RESTORE)
                  .get();
            },
            r ->
                r != null
                    && r.getStatus() != null
                    && (r.getStatus().getPhase() == RestorePhase.Succeeded
                        || r.getStatus().getPhase() == RestorePhase.Failed));
  }

  private static void provisionOnce(KubernetesClient client, Path dir, Path restoredDir, String ns)
      throws Exception {
    for (PersistentVolumeClaim pvc :
        client
            .persistentVolumeClaims()
            .inNamespace(ns)
            .withLabel(QuiescedSnapshotRestore.RESTORE_LABEL)
            .list()
            .getItems()) {
      if (pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())) {
        continue;
      }
      String name = pvc.getMetadata().getName();
      if (!PVC_NAME.matcher(name).matches()) {
        throw new IllegalStateException("not a PVC name: " + name);
      }
      Path source = Sandbox.snapshotImage(dir, ns, pvc.getSpec().getDataSourceRef().getName());
      Path target = restoredDir.resolve(name + ".img");
      ImageCopy.copy(source, target);
      Map<String, String> annotations = new HashMap<>(pvc.getMetadata().getAnnotations());
      annotations.put(Sandbox.IMAGE_ANNOTATION, target.toString());
      pvc.getMetadata().setAnnotations(annotations);
      PersistentVolumeClaim updated =
          client.persistentVolumeClaims().inNamespace(ns).resource(pvc).update();
      updated.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
      client.persistentVolumeClaims().inNamespace(ns).resource(updated).updateStatus();
      System.out.println("fake provisioner: " + name + " <- copy of " + source.getFileName());
    }
  }
}
