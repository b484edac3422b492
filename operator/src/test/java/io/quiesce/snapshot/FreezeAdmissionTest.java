package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.snapshot.FreezeAdmission.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FreezeAdmissionTest {
  private static final Instant T = Instant.parse("2026-11-25T02:30:00Z");

  private static Entry e(String name, String vm, String node, int second) {
    return new Entry("prod", name, vm, node, T.plusSeconds(second));
  }

  @Test
  void drainsInOrderUpToTheCaps() {
    List<Entry> waiting =
        List.of(
            e("s3", "c", "n1", 3),
            e("s1", "a", "n1", 1),
            e("s2", "b", "n1", 2),
            e("s4", "d", "n2", 4));

    List<Entry> admitted = new FreezeAdmission(10, 2).admit(waiting, List.of());

    assertThat(admitted).extracting(Entry::name).containsExactly("s1", "s2", "s4");
  }

  @Test
  void oneFreezePerVmAndRunningOnesCount() {
    List<Entry> running = List.of(e("r1", "a", "n1", 0));
    List<Entry> waiting =
        List.of(e("s1", "a", "n1", 1), e("s2", "b", "n1", 2), e("s3", "b", "n2", 3));

    List<Entry> admitted = new FreezeAdmission(2, 5).admit(waiting, running);

    assertThat(admitted).extracting(Entry::name).containsExactly("s2");
  }

  @Test
  void stoppedVmsAreNotCapped() {
    List<Entry> running = List.of(e("r1", "a", "n1", 0));
    List<Entry> waiting = List.of(e("s1", "b", "n1", 1), e("s2", "c", null, 2));

    assertThat(new FreezeAdmission(1, 1).admit(waiting, running))
        .extracting(Entry::name)
        .containsExactly("s2");
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void capsAndOrderHoldOnRandomQueues(long seed) {
    Random rnd = new Random(seed);
    int clusterCap = 1 + rnd.nextInt(10);
    int nodeCap = 1 + rnd.nextInt(4);
    List<Entry> running = new ArrayList<>();
    List<Entry> waiting = new ArrayList<>();
    for (int i = 0; i < rnd.nextInt(40); i++) {
      String node = rnd.nextInt(10) == 0 ? null : "n" + rnd.nextInt(5);
      Entry entry = e("s" + i, "vm" + rnd.nextInt(25), node, rnd.nextInt(100));
      (rnd.nextInt(4) == 0 ? running : waiting).add(entry);
    }

    List<Entry> admitted = new FreezeAdmission(clusterCap, nodeCap).admit(waiting, running);

    Map<String, Integer> perNode = new HashMap<>();
    Set<String> vms = new HashSet<>();
    int frozen = 0;
    for (Entry r : running) {
      vms.add(r.vm());
      if (r.node() != null) {
        perNode.merge(r.node(), 1, Integer::sum);
        frozen++;
      }
    }
    for (Entry a : admitted) {
      assertThat(vms.add(a.vm())).as("one per VM: %s", a).isTrue();
      if (a.node() != null) {
        assertThat(perNode.merge(a.node(), 1, Integer::sum))
            .as("node cap")
            .isLessThanOrEqualTo(nodeCap);
        frozen++;
      }
    }
    long runningFrozen = running.stream().filter(r -> r.node() != null).count();
    assertThat(frozen)
        .as("cluster cap")
        .isLessThanOrEqualTo((int) Math.max(clusterCap, runningFrozen));
    // order: an admitted entry never overtakes an older waiting one that could have gone in its
    // place
    for (Entry skipped : waiting) {
      if (admitted.contains(skipped) || skipped.node() == null) {
        continue;
      }
      boolean olderOfSameVm =
          waiting.stream()
              .anyMatch(
                  w ->
                      w != skipped
                          && w.vm().equals(skipped.vm())
                          && (w.created().isBefore(skipped.created())
                              || (w.created().equals(skipped.created())
                                  && w.name().compareTo(skipped.name()) < 0)));
      boolean vmBusy = vms.contains(skipped.vm()) || olderOfSameVm;
      boolean nodeFull = perNode.getOrDefault(skipped.node(), 0) >= nodeCap;
      boolean clusterFull = frozen >= clusterCap;
      assertThat(vmBusy || nodeFull || clusterFull)
          .as("%s left waiting with room", skipped)
          .isTrue();
    }
  }
}
