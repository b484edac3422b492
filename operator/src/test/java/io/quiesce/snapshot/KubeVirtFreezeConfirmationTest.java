package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.snapshot.KubeVirtFreezeApi.KubeVirtFilesystem;
import io.quiesce.snapshot.KubeVirtFreezeConfirmation.Evidence;
import io.quiesce.snapshot.KubeVirtFreezeConfirmation.Listed;
import io.quiesce.snapshot.KubeVirtFreezeConfirmation.Unavailable;
import io.quiesce.snapshot.KubeVirtFreezeConfirmation.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When KubeVirt's reports confirm a freeze made through its subresource, and what the snapshot's
 * consistency then says; and the cap of the window by the chart's freeze maximum.
 */
class KubeVirtFreezeConfirmationTest {
  private static final List<KubeVirtFilesystem> TWO =
      List.of(
          new KubeVirtFilesystem("vda1", "/", "ext4"),
          new KubeVirtFilesystem("vdb", "/data", "xfs"));

  @Test
  void reportedFrozenWithListedFilesystemsIsConfirmedAndCountsThem() {
    Verdict v =
        KubeVirtFreezeConfirmation.judge(
            Evidence.REPORTED_FROZEN, new Listed(TWO, "filesystemlist"));

    assertThat(v.confirmed()).isTrue();
    assertThat(v.filesystems()).isEqualTo(2);
    assertThat(v.confirmedBy()).isEqualTo("KubeVirtStatus");
  }

  @Test
  void theSynchronousFreezeOfAGuestReadThawedJustBeforeIsConfirmedByItsReply() {
    Verdict v =
        KubeVirtFreezeConfirmation.judge(Evidence.FREEZE_REPLY, new Listed(TWO, "filesystemlist"));

    assertThat(v.confirmed()).isTrue();
    assertThat(v.filesystems()).isEqualTo(2);
    assertThat(v.confirmedBy()).isEqualTo("KubeVirtFreezeReply");
  }

  @Test
  void aFreezeWithoutAPriorReadOrAFrozenReportIsNotConfirmed() {
    Verdict v = KubeVirtFreezeConfirmation.judge(Evidence.NONE, new Listed(TWO, "filesystemlist"));

    assertThat(v.confirmed()).isFalse();
    assertThat(v.reason()).isEqualTo("FreezeNotConfirmed");
    assertThat(v.filesystems()).isNull();
  }

  @Test
  void anEmptyFilesystemListIsNotConfirmed() {
    Verdict v =
        KubeVirtFreezeConfirmation.judge(
            Evidence.REPORTED_FROZEN, new Listed(List.of(), "filesystemlist"));

    assertThat(v.reason()).isEqualTo("NoFilesystemsListed");
    assertThat(v.message()).contains("filesystemlist");
  }

  @Test
  void aFailingFilesystemListIsNotConfirmed() {
    Verdict v =
        KubeVirtFreezeConfirmation.judge(
            Evidence.REPORTED_FROZEN, new Unavailable("filesystemlist answered 500"));

    assertThat(v.reason()).isEqualTo("FilesystemListUnavailable");
    assertThat(v.message()).contains("answered 500");
  }

  @Test
  void aConfirmedKubeVirtFreezeWithCutsInsideTheWindowIsFilesystemConsistent() {
    FreezeRecord r = record("Frozen", 2);

    assertThat(SnapshotStateMachine.honestConsistency(r, cutAt("2026-01-01T00:00:01Z")))
        .isEqualTo(new SnapshotStateMachine.Verdict(Consistency.FilesystemConsistent, "Frozen"));
  }

  @Test
  void anUnconfirmedKubeVirtFreezeIsCrashConsistentWithItsReason() {
    for (String reason : KubeVirtFreezeConfirmation.UNCONFIRMED) {
      assertThat(
              SnapshotStateMachine.honestConsistency(
                  record(reason, null), cutAt("2026-01-01T00:00:01Z")))
          .isEqualTo(new SnapshotStateMachine.Verdict(Consistency.CrashConsistent, reason));
    }
  }

  @Test
  void theWindowIsCappedByTheFreezeMaximum() {
    assertThat(KubeVirtFreezeWindow.windowLength(Duration.ofSeconds(60), Duration.ofSeconds(30)))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(KubeVirtFreezeWindow.windowLength(Duration.ofSeconds(5), Duration.ofSeconds(30)))
        .isEqualTo(Duration.ofSeconds(5));
  }

  private static FreezeRecord record(String reason, Integer filesystems) {
    FreezeRecord r = new FreezeRecord();
    r.setMethod(FreezeMethod.KUBEVIRT_API);
    r.setReason(reason);
    r.setFilesystemsFrozen(filesystems);
    r.setStartTime("2026-01-01T00:00:00.500Z");
    r.setEndTime("2026-01-01T00:00:02Z");
    return r;
  }

  private static List<VolumeSnapshotRecord> cutAt(String time) {
    VolumeSnapshotRecord r = new VolumeSnapshotRecord();
    r.setCreationTime(time);
    return List.of(r);
  }
}
