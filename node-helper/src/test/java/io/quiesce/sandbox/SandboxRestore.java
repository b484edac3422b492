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
import io.quiesce.api.v1alpha1.RestoredMember;
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
import java.util.function.Predicate;
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
 * <p>With {@code --group} (hack/sandbox.sh --group --restore): the newest group snapshot is
 * restored whole, each member into {@code restored--<vm>}, by one restore; each member's copy is
 * checked the same way against its own guest's console.
 *
 * <p>Usage: {@code SandboxRestore <sandbox dir> <guest dir>}, or {@code SandboxRestore <sandbox
 * dir> --group <guest dir>...} (the guest dirs of guest-1, guest-2, ... in order); talks to {@code
 * -Dkubernetes.master}. Exits 0 only when the restore Succeeded, every restored disk is clean and
 * every writer record check holds.
 */
public final class SandboxRestore {
  static final String VM = "guest-1";
  static final String RESTORED_VM = "guest-1-restored";
  static final String RESTORE = "restore-guest-1";

  /** A group's restore and the prefix of its new VMs ({@code restored--guest-<i>}). */
  static final String GROUP_RESTORE = "restore-group";

  static final String GROUP_PREFIX = "restored";

  /** The seed's data-disk volume of each sandbox VM (the one backed by the guest's real image). */
  static final String DATA_VOLUME = "data";

  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final Pattern PVC_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private SandboxRestore() {}

  public static void main(String[] args) throws Exception {
    boolean group = args.length >= 3 && "--group".equals(args[1]);
    if (args.length != 2 && !group) {
      System.err.println(
          "usage: SandboxRestore <sandbox dir> <guest dir>\n"
              + "       SandboxRestore <sandbox dir> --group <guest dir of guest-1> <of guest-2>...");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath().normalize();
    List<Path> guestDirs = new ArrayList<>();
    for (int i = group ? 2 : 1; i < args.length; i++) {
      guestDirs.add(Path.of(args[i]).toAbsolutePath().normalize());
    }
    List<String> summary = new ArrayList<>();
    boolean ok;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      ok =
          group
              ? runGroup(client, dir, guestDirs, summary)
              : run(client, dir, guestDirs.get(0), summary);
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
    suspendSchedules(client, ns);
    QuiescedSnapshot last =
        newest(awaitQuiet(client, ns), x -> VM.equals(x.getSpec().getSource()), VM);
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
    if (restoreUntilFinished(
            client, dir, ns, RESTORE, last.getMetadata().getName(), RESTORED_VM, summary)
        == null) {
      return false;
    }
    return checkCopy(client, ns, RESTORED_VM, guestDir, "", summary);
  }

  /**
   * Creates the restore {@code name} of {@code snapshot} into {@code target}, provisions its copies
   * until it finishes and notes its outcome: the finished restore if it Succeeded, else null.
   */
  private static QuiescedSnapshotRestore restoreUntilFinished(
      KubernetesClient client,
      Path dir,
      String ns,
      String name,
      String snapshot,
      String target,
      List<String> summary)
      throws Exception {
    client.resource(restore(ns, name, snapshot, target)).create();
    QuiescedSnapshotRestore done = provisionUntilFinished(client, dir, ns, name);
    var st = done.getStatus();
    summary.add(
        "restore: " + name + " " + st.getPhase() + " (" + st.getReason() + "): " + st.getMessage());
    return st.getPhase() == RestorePhase.Succeeded ? done : null;
  }

  /**
   * Checks one restored VM's copy: its data disk clean under {@code e2fsck -fn}, and a new guest
   * booted from it reads a writer record inside the last freeze's bracket of the original guest's
   * console. {@code label} prefixes the summary lines (empty for one VM).
   */
  private static boolean checkCopy(
      KubernetesClient client,
      String ns,
      String restoredVm,
      Path guestDir,
      String label,
      List<String> summary)
      throws Exception {
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(ns).withName(restoredVm).require();
    String claim =
        vm.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> DATA_VOLUME.equals(v.getName()))
            .findFirst()
            .flatMap(v -> v.claimName())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        restoredVm + " has no PVC-backed volume " + DATA_VOLUME));
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
        "restore: "
            + label
            + "restored data disk "
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
          "restore: "
              + label
              + "a new guest booted from the restored image in "
              + Duration.between(bootStart, Instant.now()).toMillis()
              + " ms and read /data/journal.log");
    }
    String console = Files.readString(guestDir.resolve("console.log"));
    WriterRecordCheck check = WriterRecordCheck.of(console, journal);
    summary.add("restore: " + label + check.summary());
    return clean && check.holds();
  }

  /**
   * A group's restore (hack/sandbox.sh --group --restore): the newest group snapshot, restored
   * whole into one new VM per member ({@code restored--guest-<i>}) by one QuiescedSnapshotRestore;
   * then every member's copy is checked as one VM's is, against its own guest's console.
   */
  private static boolean runGroup(
      KubernetesClient client, Path dir, List<Path> guestDirs, List<String> summary)
      throws Exception {
    String ns = Sandbox.NAMESPACE;
    suspendSchedules(client, ns);
    QuiescedSnapshot last = newest(awaitQuiet(client, ns), SandboxRestore::isGroup, "group");
    var st = last.getStatus();
    summary.add(
        "restore: the last group snapshot "
            + last.getMetadata().getName()
            + " ("
            + st.getPhase()
            + ", "
            + st.getConsistency()
            + ", common window "
            + (st.getCommonWindow() == null ? "-" : st.getCommonWindow().getDurationMs())
            + " ms) of "
            + (st.getMembers() == null
                ? "[]"
                : st.getMembers().stream().map(m -> m.getVm()).toList())
            + " into new VMs "
            + GROUP_PREFIX
            + "--<vm>");
    if (st.getPhase() != SnapshotPhase.Succeeded
        || st.getConsistency() != Consistency.FilesystemConsistent) {
      summary.add(
          "restore: FAILED: the last group snapshot is not a Succeeded FilesystemConsistent one");
      return false;
    }
    QuiescedSnapshotRestore done =
        restoreUntilFinished(
            client, dir, ns, GROUP_RESTORE, last.getMetadata().getName(), GROUP_PREFIX, summary);
    if (done == null) {
      return false;
    }
    boolean ok = true;
    for (RestoredMember m : done.getStatus().getMembers()) {
      Path guestDir = guestDirOf(m.getVm(), guestDirs);
      ok &= checkCopy(client, ns, m.getTargetVM(), guestDir, m.getVm() + ": ", summary);
    }
    int expected = st.getMembers() == null ? 0 : st.getMembers().size();
    if (done.getStatus().getMembers().size() != expected) {
      summary.add(
          "restore: FAILED: "
              + done.getStatus().getMembers().size()
              + " member(s) restored of "
              + expected);
      ok = false;
    }
    return ok;
  }

  /** The guest dir of {@code guest-<i>}: the i-th given (the seed names the guests so). */
  private static Path guestDirOf(String vm, List<Path> guestDirs) {
    int i = Integer.parseInt(vm.substring(vm.lastIndexOf('-') + 1));
    if (i < 1 || i > guestDirs.size()) {
      throw new IllegalStateException("no guest dir given for " + vm);
    }
    return guestDirs.get(i - 1);
  }

  private static boolean isGroup(QuiescedSnapshot s) {
    return s.getSpec() != null && s.getSpec().getSources() != null;
  }

  /** Every schedule of the sandbox (with the hooks and without): no fire during the restore. */
  private static void suspendSchedules(KubernetesClient client, String ns) {
    for (String schedule : List.of(Sandbox.SCHEDULE, Sandbox.SCHEDULE_WITHOUT_HOOKS)) {
      var resource =
          client.resources(QuiescedSnapshotSchedule.class).inNamespace(ns).withName(schedule);
      if (resource.get() != null) {
        resource.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true}}");
      }
    }
  }

  /** Waits until no snapshot is Pending or InProgress; returns them all. */
  private static List<QuiescedSnapshot> awaitQuiet(KubernetesClient client, String ns) {
    return await("no snapshot runs after the schedule was suspended")
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
  }

  /** The newest of {@code all} that {@code which} accepts. */
  private static QuiescedSnapshot newest(
      List<QuiescedSnapshot> all, Predicate<QuiescedSnapshot> which, String what) {
    return all.stream()
        .filter(which)
        .max(
            Comparator.comparing((QuiescedSnapshot s) -> s.getMetadata().getCreationTimestamp())
                .thenComparing(s -> s.getMetadata().getName()))
        .orElseThrow(() -> new IllegalStateException("no snapshot of " + what));
  }

  /** A restore into a new VM {@code vm} (of a group snapshot: the prefix of its members' VMs). */
  private static QuiescedSnapshotRestore restore(
      String ns, String name, String snapshot, String vm) {
    NewVmTarget target = new NewVmTarget();
    target.setName(vm);
    target.setRunStrategy(
        RunStrategy.Halted); // the sandbox has no virt-controller to run it; the check boots it
    RestoreTarget t = new RestoreTarget();
    t.setNewVM(target);
    QuiescedSnapshotRestoreSpec spec = new QuiescedSnapshotRestoreSpec();
    spec.setSource(snapshot);
    spec.setTarget(t);
    QuiescedSnapshotRestore r = new QuiescedSnapshotRestore();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(ns);
    r.setSpec(spec);
    return r;
  }

  /**
   * The FAKE provisioner (no CSI driver here): binds every PVC the restore created once its image,
   * a copy of its VolumeSnapshot's image, is complete; returns the restore once it finished.
   */
  private static QuiescedSnapshotRestore provisionUntilFinished(
      KubernetesClient client, Path dir, String ns, String restore) throws Exception {
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
                  .withName(restore)
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
