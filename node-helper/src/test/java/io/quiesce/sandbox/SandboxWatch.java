package io.quiesce.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Shows the sandbox's QuiescedSnapshots live, like {@code kubectl get qsnap -w}, until the first
 * {@code fires} fires of the schedule are terminal; then checks every snapshot image with {@code
 * e2fsck -fn}, prints the summary, writes {@code summary.txt} and {@code freeze-windows.png} into
 * the sandbox dir, and exits 0 only if every FilesystemConsistent snapshot's image is clean (1 if
 * not, 3 on timeout).
 *
 * <p>Usage: {@code SandboxWatch <sandbox dir> <vms> <fires> <timeout seconds>}; talks to {@code
 * -Dkubernetes.master}.
 */
public final class SandboxWatch implements ResourceEventHandler<QuiescedSnapshot> {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final Map<String, SnapshotRow> rows = new ConcurrentHashMap<>();
  private final FirstFires firstFires;
  private final CompletableFuture<List<SnapshotRow>> done = new CompletableFuture<>();

  private SandboxWatch(FirstFires firstFires) {
    this.firstFires = firstFires;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: SandboxWatch <sandbox dir> <vms> <fires> <timeout seconds>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    SandboxWatch watch =
        new SandboxWatch(new FirstFires(Integer.parseInt(args[2]), Integer.parseInt(args[1])));
    List<SnapshotRow> snapshots;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      System.out.println("    " + SnapshotRow.HEADER);
      var informer =
          client.resources(QuiescedSnapshot.class).inNamespace(Sandbox.NAMESPACE).inform(watch);
      try {
        snapshots = watch.done.get(Long.parseLong(args[3]), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        System.out.println(
            "TIMEOUT: the first " + args[2] + " fires did not finish within " + args[3] + " s");
        System.exit(3);
        return;
      } finally {
        informer.close();
      }
    }
    SandboxSummary summary = new SandboxSummary(snapshots, check(dir, snapshots));
    String text = summary.text();
    System.out.println();
    System.out.print(text);
    Files.writeString(dir.resolve("summary.txt"), text);
    FreezeChart.write(snapshots, dir.resolve("freeze-windows.png"));
    System.out.println(
        "wrote " + dir.resolve("summary.txt") + " and " + dir.resolve("freeze-windows.png"));
    System.exit(summary.passed() ? 0 : 1);
  }

  @Override
  public void onAdd(QuiescedSnapshot snapshot) {
    show(SnapshotRow.of(snapshot));
  }

  @Override
  public void onUpdate(QuiescedSnapshot old, QuiescedSnapshot snapshot) {
    show(SnapshotRow.of(snapshot));
  }

  @Override
  public void onDelete(QuiescedSnapshot snapshot, boolean deletedFinalStateUnknown) {
    // retention may prune old snapshots; the watch keeps what it has seen
  }

  private synchronized void show(SnapshotRow row) {
    SnapshotRow before = rows.put(row.name(), row);
    if (before == null || !before.line().equals(row.line())) {
      System.out.println(CLOCK.format(LocalTime.now()) + " " + row.line());
    }
    firstFires.completed(rows.values()).ifPresent(done::complete);
  }

  /** {@code e2fsck -fn} on every image of every snapshot. */
  private static List<ImageCheck> check(Path dir, List<SnapshotRow> snapshots) {
    List<ImageCheck> checks = new ArrayList<>();
    for (SnapshotRow s : snapshots) {
      for (String volumeSnapshot : s.volumeSnapshots()) {
        Path image = Sandbox.snapshotImage(dir, Sandbox.NAMESPACE, volumeSnapshot);
        checks.add(check(s, image));
      }
    }
    return checks;
  }

  private static ImageCheck check(SnapshotRow snapshot, Path image) {
    String name = image.getFileName().toString();
    if (!Files.isRegularFile(image)) {
      return new ImageCheck(snapshot, name, false, "no image (never cut)");
    }
    ProcessResult fsck = DiskImages.e2fsck(image);
    String detail = "e2fsck exit " + fsck.exitCode();
    if (!fsck.succeeded()) {
      Optional<String> firstProblem =
          fsck.output().lines().filter(l -> !l.isBlank()).skip(1).findFirst();
      return new ImageCheck(
          snapshot, name, false, detail + firstProblem.map(p -> ": " + p).orElse(""));
    }
    TinyDbCheck tinyDb = tinyDb(image);
    return new ImageCheck(
        snapshot,
        name,
        true,
        detail + ", " + writerProgress(image) + (tinyDb.present() ? ", " + tinyDb.detail() : ""),
        tinyDb);
  }

  /** tinydb's index against its log in the image (read with debugfs, never mounted). */
  private static TinyDbCheck tinyDb(Path image) {
    try {
      return TinyDbCheck.of(
          DiskImages.readFile(image, TinyDbCheck.INDEX),
          DiskImages.fileSize(image, TinyDbCheck.LOG),
          DiskImages.readFile(image, TinyDbCheck.LOG));
    } catch (IllegalStateException e) {
      return new TinyDbCheck(true, false, "tinydb unreadable: " + e.getMessage());
    }
  }

  /** The guest writer's last journal entry in the image: shows that each copy caught live data. */
  private static String writerProgress(Path image) {
    try {
      String journal = DiskImages.readFile(image, "/journal.log");
      return journal
          .lines()
          .reduce((first, second) -> second)
          .map(last -> "writer iteration " + last.split(" ")[0])
          .orElse("writer journal empty");
    } catch (IllegalStateException e) {
      return "writer journal unreadable: " + e.getMessage();
    }
  }
}
