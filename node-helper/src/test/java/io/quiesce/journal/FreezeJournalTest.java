package io.quiesce.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.freeze.GuestRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on a real file system: durable round trips, names that cannot escape, strict reading.
 */
class FreezeJournalTest {
  private static final Instant DEADLINE = Instant.parse("2026-12-05T20:00:30Z");
  private static final GuestRef DB = new GuestRef("prod", "db");

  @TempDir Path dir;

  @Test
  void anEntrySurvivesAReopenAndIsGoneOnceRemoved() {
    FreezeJournal journal = FreezeJournal.open(dir.resolve("journal"));
    JournalEntry qga =
        new JournalEntry(
            DB,
            FreezeMethod.QGA,
            Path.of("/var/lib/kubelet/pods/u1/qga.sock"),
            null,
            "prod/db-snap",
            DEADLINE);
    JournalEntry libvirt =
        new JournalEntry(
            new GuestRef("prod", "web"),
            FreezeMethod.LIBVIRT,
            Path.of("/var/lib/kubelet/pods/u2/virtqemud-sock"),
            "prod_web",
            null,
            DEADLINE,
            java.util.UUID.fromString(
                "6a1b3c5e-0d2f-5a4b-9c8d-7e6f5a4b3c2d")); // a thaw from it checks the domain's UUID
    journal.record(qga);
    journal.record(libvirt);

    // a new process (container restart, pod replaced on the same hostPath) opens the same directory
    FreezeJournal reopened = FreezeJournal.open(dir.resolve("journal"));
    assertThat(reopened.load().entries()).containsExactlyInAnyOrder(qga, libvirt);
    assertThat(reopened.load().unreadable()).isEmpty();

    reopened.remove(DB);
    assertThat(FreezeJournal.open(dir.resolve("journal")).load().entries())
        .containsExactly(libvirt);
  }

  @Test
  void aRecordReplacesTheGuestsEntryAtomicallyAndCrashLeftoversAreCleared() throws IOException {
    FreezeJournal journal = FreezeJournal.open(dir);
    journal.record(
        new JournalEntry(DB, FreezeMethod.QGA, Path.of("/r/old/qga.sock"), null, null, DEADLINE));
    JournalEntry moved =
        new JournalEntry(DB, FreezeMethod.QGA, Path.of("/r/new/qga.sock"), null, null, DEADLINE);
    journal.record(moved);
    // what a crash between the temp write and the rename leaves
    Files.writeString(dir.resolve(FreezeJournal.nameOf(DB) + ".tmp"), "{\"format\":1,\"nam");

    FreezeJournal reopened = FreezeJournal.open(dir);
    assertThat(reopened.load().entries()).containsExactly(moved);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly(FreezeJournal.nameOf(DB));
    }
  }

  @Test
  void fileNamesAreHashesSoNoGuestNameReachesAPath() {
    FreezeJournal journal = FreezeJournal.open(dir);
    GuestRef hostile = new GuestRef("../../etc", "../passwd\n");
    Path file = journal.fileOf(hostile);
    assertThat(file.getParent()).isEqualTo(dir.toAbsolutePath().normalize());
    assertThat(file.getFileName().toString()).matches("[0-9a-f]{40}\\.json");
    assertThat(journal.fileOf(new GuestRef("a-b", "c")))
        .isNotEqualTo(journal.fileOf(new GuestRef("a", "b-c")));
  }

  @Test
  void readingIsStrictAndBoundedAndABadFileIsLeftInPlace() throws IOException {
    FreezeJournal journal = FreezeJournal.open(dir);
    journal.record(
        new JournalEntry(DB, FreezeMethod.QGA, Path.of("/r/u/qga.sock"), null, null, DEADLINE));
    String good = Files.readString(journal.fileOf(DB));
    GuestRef other = new GuestRef("prod", "other");
    // an unknown field, an oversized file, an entry in another guest's file, a relative socket,
    // a name that is not a Kubernetes name, an unknown method
    write(other, good.replace("}", ",\"extra\":1}"));
    write(new GuestRef("prod", "big"), good + " ".repeat(FreezeJournal.MAX_ENTRY_BYTES));
    write(new GuestRef("prod", "elsewhere"), good);
    write(
        new GuestRef("prod", "rel"),
        good.replace("\"db\"", "\"rel\"").replace("/r/u/qga.sock", "r/qga.sock"));
    write(new GuestRef("prod", "Bad_Name"), good.replace("\"db\"", "\"Bad_Name\""));
    write(
        new GuestRef("prod", "m"),
        good.replace("\"db\"", "\"m\"").replace("\"qga\"", "\"kubevirt-api\""));
    Files.writeString(dir.resolve("stray.json"), good);

    FreezeJournal.Contents contents = journal.load();
    assertThat(contents.entries()).extracting(JournalEntry::guest).containsExactly(DB);
    assertThat(contents.unreadable()).hasSize(7);
    assertThat(journal.find(other)).isNull();
    assertThat(Files.exists(journal.fileOf(other))).as("left for people to look at").isTrue();
  }

  private void write(GuestRef guest, String content) throws IOException {
    Files.write(dir.resolve(FreezeJournal.nameOf(guest)), content.getBytes(StandardCharsets.UTF_8));
  }
}
