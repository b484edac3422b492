package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.FreezeAdmission.Request;
import io.quiesce.snapshot.FreezeSlots.WholeAdmission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-group admission as a property, on the real {@link FreezeSlots} ledger: consistency groups
 * of 2 to 5 VMs, singles admitted whole and singles admitted the old way ({@link
 * FreezeSlots#tryAdmit}, which sees only the groups waiting) arrive at random over shared VMs and
 * nodes, each waiting request tries again every step in a random order, and running ones end at
 * random. After every call: never more grants than the cluster cap or a node's cap, never one VM
 * twice, and a group holds a grant for every VM or for none. Every step in which nothing runs
 * admits someone (no deadlock), and once arrivals stop every request that fits the caps starts and
 * ends (no starvation, no request stuck behind one that can never fit).
 */
class GroupAdmissionPropertyTest {
  private static final int CAP = 4;
  private static final int NODE_CAP = 2;
  private static final int NODES = 3;
  private static final int VMS = 10;
  private static final int ARRIVALS = 300;
  private static final int DRAIN_STEPS = 5_000;
  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

  /** One request of the simulation. */
  private static final class Req {
    final String name;
    final Request request;
    final boolean legacySingle;
    final boolean fits;
    boolean running;
    boolean done;

    Req(String name, Request request, boolean legacySingle, boolean fits) {
      this.name = name;
      this.request = request;
      this.legacySingle = legacySingle;
      this.fits = fits;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
  void groupsAndSinglesNeverBreachTheCapsNeverDeadlockAndAllFinish(long seed) {
    Random rnd = new Random(seed);
    FreezeSlots slots = new FreezeSlots(CAP, NODE_CAP);
    FreezeAdmission caps = new FreezeAdmission(CAP, NODE_CAP);
    Map<String, String> nodeOf = new HashMap<>();
    for (int v = 0; v < VMS; v++) {
      // some VMs are stopped: nothing to freeze, no slot
      nodeOf.put("vm-" + v, v % 5 == 4 ? null : "node-" + rnd.nextInt(NODES));
    }
    Map<String, Req> all = new LinkedHashMap<>();
    int arrived = 0;
    int step = 0;
    int groupsRun = 0;
    int neverFit = 0;
    while (arrived < ARRIVALS || all.values().stream().anyMatch(r -> r.fits && !r.done)) {
      assertThat(step++)
          .as("seed %d: every request that fits started and ended", seed)
          .isLessThan(ARRIVALS * 20 + DRAIN_STEPS);
      if (arrived < ARRIVALS && rnd.nextInt(3) == 0) {
        Req r = arrival(rnd, "s" + arrived, T0.plusSeconds(arrived), nodeOf, caps);
        all.put(r.name, r);
        arrived++;
      }
      boolean idleBefore = all.values().stream().noneMatch(r -> r.running);
      List<Req> waiting =
          new ArrayList<>(all.values().stream().filter(r -> !r.running && !r.done).toList());
      Collections.shuffle(waiting, rnd); // independent reconciles, in any order
      int admittedNow = 0;
      for (Req r : waiting) {
        if (tryStart(slots, r, all)) {
          admittedNow++;
          groupsRun += r.request.members().size() > 1 ? 1 : 0;
        } else if (!r.fits) {
          r.done = true; // the caller fails it (never fits)
          neverFit++;
        }
        checkInvariants(slots, all, seed);
      }
      if (idleBefore && waiting.stream().anyMatch(r -> r.fits)) {
        assertThat(admittedNow)
            .as("seed %d step %d: nothing ran, someone must start", seed, step)
            .isPositive();
      }
      for (Req r : all.values()) {
        if (r.running && rnd.nextInt(4) == 0) { // its freeze ends: evidence, grants released
          r.running = false;
          r.done = true;
          if (r.legacySingle) {
            slots.release("ns", r.name);
          } else {
            slots.releaseWhole("ns", r.name);
          }
          checkInvariants(slots, all, seed);
        }
      }
    }
    assertThat(slots.held()).isZero();
    assertThat(groupsRun).as("seed %d: groups ran", seed).isPositive();
    System.out.printf(
        "[figure] seed %d: %d requests, %d groups ran, %d never fit, %d steps%n",
        seed, arrived, groupsRun, neverFit, step);
  }

  private static Req arrival(
      Random rnd, String name, Instant created, Map<String, String> nodeOf, FreezeAdmission caps) {
    int kind = rnd.nextInt(10);
    List<String> vms = new ArrayList<>(nodeOf.keySet());
    Collections.shuffle(vms, rnd);
    int size = kind < 3 ? 1 : kind < 5 ? 1 : 2 + rnd.nextInt(4); // 2..5 VMs
    List<Entry> members = new ArrayList<>();
    for (String vm : vms.subList(0, size)) {
      members.add(new Entry("ns", name, vm, nodeOf.get(vm), created));
    }
    Request request = new Request(members);
    return new Req(name, request, kind < 3, caps.fits(request));
  }

  private static boolean tryStart(FreezeSlots slots, Req r, Map<String, Req> all) {
    if (r.legacySingle) {
      Entry me = r.request.members().get(0);
      if (me.node() == null) {
        r.running = true; // a stopped VM needs no slot
        return true;
      }
      var admission = slots.tryAdmit(me, List.of());
      if (!admission.vmBusy() && admission.slotFree()) {
        r.running = true;
        return true;
      }
      return false;
    }
    List<Request> queue =
        all.values().stream()
            .filter(o -> !o.legacySingle && !o.running && !o.done && o != r)
            .map(o -> o.request)
            .toList();
    WholeAdmission answer = slots.tryAdmitWhole(r.request, null, queue);
    assertThat(answer == WholeAdmission.NEVER_FITS).isEqualTo(!r.fits);
    if (answer == WholeAdmission.ADMITTED) {
      r.running = true;
      return true;
    }
    return false;
  }

  private static void checkInvariants(FreezeSlots slots, Map<String, Req> all, long seed) {
    Map<String, Integer> perNode = new HashMap<>();
    Set<String> vms = new HashSet<>();
    int inFlight = 0;
    for (Req r : all.values()) {
      List<Entry> frozen = r.request.members().stream().filter(e -> e.node() != null).toList();
      if (!r.running) {
        continue;
      }
      for (Entry e : frozen) {
        inFlight++;
        perNode.merge(e.node(), 1, Integer::sum);
      }
      for (Entry e : frozen) {
        assertThat(vms.add(e.vm())).as("seed %d: %s frozen twice", seed, e.vm()).isTrue();
      }
    }
    assertThat(inFlight).as("seed %d: freezes at once", seed).isLessThanOrEqualTo(CAP);
    assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(NODE_CAP));
    assertThat(slots.held())
        .as("seed %d: the ledger holds exactly one grant per frozen VM of what runs", seed)
        .isEqualTo(inFlight);
  }
}
