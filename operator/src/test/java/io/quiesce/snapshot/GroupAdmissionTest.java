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
    assertThat(slots.tryAdmit(new Entry("ns", "other", "b", "n2", T0), List.of()).slotFree())
        .as("singles count group grants, and the group holds none while it waits")
        .isTrue();
  }

  /**
   * A stream of singles admitted one by one ({@link FreezeSlots#tryAdmit}) must not starve a group
   * that needs several slots at once: once the group waits, no single created after it takes a
   * slot, so the slots the running ones free add up until the group fits. An older single still
   * goes first.
   */
  @Test
  void aWaitingGroupIsNotStarvedByAStreamOfLaterSingles() {
    FreezeSlots slots = new FreezeSlots(3, 3);
    int[] made = {0};
    java.util.ArrayDeque<String> running = new java.util.ArrayDeque<>();
    java.util.function.IntFunction<Boolean> single =
        age -> {
          String name = "s" + made[0]++;
          boolean admitted =
              slots
                  .tryAdmit(
                      new Entry("ns", name, "vm-" + name, "n" + (age % 3), T0.plusSeconds(age)),
                      List.of())
                  .slotFree();
          if (admitted) {
            running.add(name);
          }
          return admitted;
        };
    for (int age = 0; age < 3; age++) {
      assertThat(single.apply(age)).isTrue();
    }
    Request group = group("g", 10, "a@n1", "b@n2");
    assertThat(slots.tryAdmitWhole(group, null, List.of())).isEqualTo(WholeAdmission.WAITING);
    assertThat(single.apply(5)).as("the cap is reached").isFalse();
    slots.release("ns", running.poll());
    assertThat(single.apply(5)).as("a single older than the group still goes first").isTrue();

    int admittedAfterTheGroup = 0;
    WholeAdmission answer = WholeAdmission.WAITING;
    for (int age = 11; age < 30 && answer == WholeAdmission.WAITING; age++) {
      slots.release("ns", running.poll()); // one running single ends
      admittedAfterTheGroup += single.apply(age) ? 1 : 0; // a new single arrives
      answer = slots.tryAdmitWhole(group, null, List.of());
    }

    assertThat(answer).as("the group got its two slots").isEqualTo(WholeAdmission.ADMITTED);
    assertThat(admittedAfterTheGroup).as("no single created after the group took a slot").isZero();
    slots.release("ns", running.poll());
    assertThat(single.apply(40)).as("an admitted group reserves nothing more").isTrue();
  }
}
