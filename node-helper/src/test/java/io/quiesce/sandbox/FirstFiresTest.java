package io.quiesce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.Consistency;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstFiresTest {

  private final FirstFires twoFiresOfTwoVms = new FirstFires(2, 2);

  @Test
  void completeOnlyWhenEveryVmOfEachOfTheFirstFiresIsTerminal() {
    List<SnapshotRow> rows =
        List.of(
            done("a", "20261125-2217"),
            done("b", "20261125-2217"),
            done("a", "20261125-2218"),
            running("b", "20261125-2218"));
    assertThat(twoFiresOfTwoVms.completed(rows)).isEmpty();

    List<SnapshotRow> finished =
        List.of(
            done("a", "20261125-2217"),
            done("b", "20261125-2217"),
            done("b", "20261125-2218"),
            done("a", "20261125-2218"),
            running("a", "20261125-2219"));
    assertThat(twoFiresOfTwoVms.completed(finished))
        .hasValueSatisfying(
            first ->
                assertThat(first)
                    .extracting(r -> r.fire() + "/" + r.vm())
                    .containsExactly(
                        "20261125-2217/a",
                        "20261125-2217/b",
                        "20261125-2218/a",
                        "20261125-2218/b"));
  }

  @Test
  void aFireWhoseSnapshotsAreNotAllCreatedYetIsNotComplete() {
    List<SnapshotRow> rows =
        List.of(done("a", "20261125-2217"), done("b", "20261125-2217"), done("a", "20261125-2218"));
    assertThat(twoFiresOfTwoVms.completed(rows)).isEmpty();
  }

  @Test
  void tooFewFiresIsNotComplete() {
    assertThat(
            twoFiresOfTwoVms.completed(
                List.of(done("a", "20261125-2217"), done("b", "20261125-2217"))))
        .isEmpty();
  }

  private static SnapshotRow done(String vm, String fire) {
    return new SnapshotRow(
        "s-" + vm + "-" + fire,
        vm,
        fire,
        SnapshotPhase.Succeeded,
        Consistency.FilesystemConsistent,
        300L,
        List.of("s-" + vm + "-" + fire + "-data"));
  }

  private static SnapshotRow running(String vm, String fire) {
    return new SnapshotRow(
        "s-" + vm + "-" + fire, vm, fire, SnapshotPhase.InProgress, null, null, List.of());
  }
}
