package io.quiesce.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the freeze is for: a copy of the disk taken while frozen is a clean, up-to-date filesystem.
 */
@RealGuest
class FrozenDataDiskCopyTest {

  @Test
  void copyTakenWhileFrozenPassesFsckAndHoldsTheLastFsyncedWrite(GuestVm guest, @TempDir Path tmp) {
    guest.awaitWriterAdvance(Duration.ofSeconds(30));
    Path copy = tmp.resolve("data-copy.img");
    WriterProgress atCopy;
    int thawed;
    try (QgaClient client = new QgaClient(guest.agentSocket())) {
      assertThat(client.freeze(List.of())).isEqualTo(1);
      try {
        guest.copyDataDisk(copy);
        atCopy = guest.writerProgress();
      } finally {
        thawed = client.thaw();
      }
    }
    assertThat(thawed).isEqualTo(1);

    ProcessResult fsck = DiskImages.e2fsck(copy);
    assertThat(fsck.exitCode()).as("e2fsck -fn of the copy:\n%s", fsck.output()).isZero();

    // the writer appends "<n> <uptime>" to journal.log before it prints "W <n>": the copy must hold
    // the last iteration printed before the copy (and at most the one in flight at the freeze)
    List<String> journal = DiskImages.readFile(copy, "/journal.log").lines().toList();
    long lastInCopy = Long.parseLong(journal.get(journal.size() - 1).split(" ")[0]);
    assertThat(lastInCopy).isBetween(atCopy.iteration(), atCopy.iteration() + 1);
  }
}
