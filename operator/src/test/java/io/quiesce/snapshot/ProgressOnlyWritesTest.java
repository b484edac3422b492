package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Which decided changes wait for the next write that matters ({@link ProgressOnlyWrites}). */
class ProgressOnlyWritesTest {

  @Test
  void theMessageAConditionsMessageAndAVolumeSnapshotsProgressAreProgressOnly() {
    assertThat(onlyProgress(s -> s.setMessage("waiting for every VolumeSnapshot"))).isTrue();
    assertThat(onlyProgress(s -> s.getConditions().get(0).setMessage("another message"))).isTrue();
    assertThat(
            onlyProgress(
                s -> s.getConditions().get(0).setLastTransitionTime("2026-12-06T00:00:09Z")))
        .isTrue();
    assertThat(
            onlyProgress(
                s -> {
                  VolumeSnapshotRecord r = s.getVolumeSnapshots().get(0);
                  r.setCreationTime("2026-12-06T00:00:05Z");
                  r.setReadyToUse(true);
                  r.setRestoreSize(new io.fabric8.kubernetes.api.model.Quantity("1Gi"));
                }))
        .isTrue();
    // not the operator's: never written by it, so no reason to write
    assertThat(onlyProgress(s -> s.setFreeze(new FreezeRecord()))).isTrue();
  }

  @Test
  void whatDecidesOrTellsSomethingNewIsWritten() {
    assertThat(onlyProgress(s -> s.setPhase(SnapshotPhase.Succeeded))).isFalse();
    assertThat(onlyProgress(s -> s.setConsistency(Consistency.FilesystemConsistent))).isFalse();
    assertThat(onlyProgress(s -> s.setNodeName("node02"))).isFalse();
    assertThat(onlyProgress(s -> s.getConditions().get(0).setReason("WaitingForVolumeSnapshots")))
        .isFalse();
    assertThat(onlyProgress(s -> s.getConditions().get(0).setStatus("False"))).isFalse();
    assertThat(onlyProgress(s -> s.setConditions(null))).isFalse();
    assertThat(onlyProgress(s -> s.getVolumeSnapshots().get(0).setError("failed"))).isFalse();
    assertThat(onlyProgress(s -> s.getVolumeSnapshots().add(record("disk2")))).isFalse();
    assertThat(ProgressOnlyWrites.onlyProgress(null, status())).isFalse();
    assertThat(ProgressOnlyWrites.onlyProgress(new QuiescedSnapshotStatus(), status())).isFalse();
  }

  private static boolean onlyProgress(Consumer<QuiescedSnapshotStatus> change) {
    QuiescedSnapshotStatus next = status();
    change.accept(next);
    return ProgressOnlyWrites.onlyProgress(status(), next);
  }

  private static QuiescedSnapshotStatus status() {
    QuiescedSnapshotStatus s = new QuiescedSnapshotStatus();
    s.setPhase(SnapshotPhase.InProgress);
    s.setNodeName("node01");
    s.setMessage("assigned to the node helper on node node01");
    s.setConditions(
        new java.util.ArrayList<>(
            List.of(
                new ConditionBuilder()
                    .withType("Progressing")
                    .withStatus("True")
                    .withReason("AssignedToNode")
                    .withMessage("assigned")
                    .withObservedGeneration(1L)
                    .withLastTransitionTime("2026-12-06T00:00:00Z")
                    .build())));
    s.setVolumeSnapshots(new java.util.ArrayList<>(List.of(record("disk1"))));
    return s;
  }

  private static VolumeSnapshotRecord record(String volume) {
    VolumeSnapshotRecord r = new VolumeSnapshotRecord();
    r.setVolume(volume);
    r.setVolumeSnapshotName("s1-" + volume);
    return r;
  }
}
