package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.FreezeAdmission.Request;
import io.quiesce.snapshot.FreezeSlots.WholeAdmission;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of whole admission, one each. */
class GroupAdmissionTest {
  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

  private static Request group(String name, int age, String... vmsOnNodes) {
    List<Entry> members =
        java.util.Arrays.stream(vmsOnNodes)
            .map(v -> v.split("@"))
            .map(p -> new Entry("ns", name, p[0], p[1], T0.plusSeconds(age)))
            .toList();
    return new Request(members);
  }

  @Test
  void aGroupIsAdmittedWholeOrNotAtAll() {
    FreezeSlots slots = new FreezeSlots(3, 3);
    assertThat(slots.tryAdmitWhole(group("one", 0, "a@n1"), null, List.of()))
        .isEqualTo(WholeAdmission.ADMITTED);

    WholeAdmission answer =
        slots.tryAdmitWhole(group("g", 1, "b@n1", "c@n2", "d@n2"), null, List.of());

    assertThat(answer).isEqualTo(WholeAdmission.WAITING); // 1 + 3 > cap 3
    assertThat(slots.held()).as("no grant taken for the waiting group").isEqualTo(1);
    slots.releaseWhole("ns", "one");
    assertThat(slots.tryAdmitWhole(group("g", 1, "b@n1", "c@n2", "d@n2"), null, List.of()))
        .isEqualTo(WholeAdmission.ADMITTED);
    assertThat(slots.held()).isEqualTo(3);
    slots.releaseWhole("ns", "g");
    assertThat(slots.held()).isZero();
  }

  @Test
  void aWaitingGroupKeepsTheCapacityBehindItSoLaterSinglesCannotStarveIt() {
    FreezeSlots slots = new FreezeSlots(2, 2);
    slots.tryAdmitWhole(group("running", 0, "a@n1"), null, List.of());
    Request waitingGroup = group("g", 1, "b@n1", "c@n2");
    Request laterSingle = group("s", 2, "d@n2");

    assertThat(slots.tryAdmitWhole(laterSingle, null, List.of(waitingGroup)))
        .as("a slot is free, but the older group waits for two")
        .isEqualTo(WholeAdmission.WAITING);
    assertThat(slots.tryAdmitWhole(waitingGroup, null, List.of(laterSingle)))
        .isEqualTo(WholeAdmission.WAITING);
    slots.releaseWhole("ns", "running");
    assertThat(slots.tryAdmitWhole(waitingGroup, null, List.of(laterSingle)))
        .isEqualTo(WholeAdmission.ADMITTED);
  }

  @Test
  void aGroupThatCanNeverFitIsRefusedAndBlocksNobody() {
    FreezeSlots slots = new FreezeSlots(4, 2);
    Request tooManyOnOneNode = group("big", 0, "a@n1", "b@n1", "c@n1");
    Request later = group("s", 1, "d@n2");

    assertThat(slots.tryAdmitWhole(tooManyOnOneNode, null, List.of(later)))
        .isEqualTo(WholeAdmission.NEVER_FITS);
    assertThat(slots.tryAdmitWhole(later, null, List.of(tooManyOnOneNode)))
        .isEqualTo(WholeAdmission.ADMITTED);
  }

  @Test
  void aGroupWaitsForAVmThatASingleSnapshotIsFreezing() {
    FreezeSlots slots = new FreezeSlots(10, 10);
    Entry single = new Entry("ns", "single", "a", "n1", T0);
    assertThat(slots.tryAdmit(single, List.of()).slotFree()).isTrue();

    assertThat(slots.tryAdmitWhole(group("g", 1, "a@n1", "b@n2"), null, List.of()))
        .isEqualTo(WholeAdmission.WAITING);
    assertThat(
            slots
                .tryAdmit(new Entry("ns", "other", "b", "n2", T0.plusSeconds(2)), List.of())
                .slotFree())
        .as("singles count group grants, and the group holds none while it waits")
        .isTrue();
  }
}
