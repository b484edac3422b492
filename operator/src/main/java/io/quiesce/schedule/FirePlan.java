package io.quiesce.schedule;

import io.quiesce.api.v1alpha1.ConcurrencyPolicy;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.ChildNames;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one fire does for each selected VM. Pure: decided from the selected VMs and the schedule's
 * existing snapshots.
 *
 * <ul>
 *   <li>The snapshot of this fire already exists (a repeated fire after a restart or failover):
 *       nothing is created, it counts as created by this fire.
 *   <li>Forbid and an earlier snapshot of the VM from this schedule is still Pending/InProgress:
 *       skipped.
 *   <li>Otherwise: create.
 * </ul>
 */
public final class FirePlan {

  private FirePlan() {}

  /** What happens to one VM. */
  public enum Action {
    CREATE,
    ALREADY_EXISTS,
    SKIP_ACTIVE
  }

  /** One VM's step; {@code blockedBy} names the running snapshot for {@link Action#SKIP_ACTIVE}. */
  public record Step(String vm, String snapshotName, Action action, String blockedBy) {}

  /**
   * What planning needs to know of an existing snapshot of this schedule ({@code phase} null: not
   * started).
   */
  public record ExistingSnapshot(String name, String vm, SnapshotPhase phase, Instant created) {

    /**
     * Pending or InProgress; a snapshot the snapshot reconciler has not picked up yet counts as
     * Pending.
     */
    public boolean active() {
      return phase == null || phase == SnapshotPhase.Pending || phase == SnapshotPhase.InProgress;
    }
  }

  /** The steps of the fire at {@code fireTime}, in VM name order. */
  public static List<Step> plan(
      String schedule,
      Instant fireTime,
      Collection<String> selectedVms,
      Collection<ExistingSnapshot> existing,
      ConcurrencyPolicy policy) {
    Map<String, ExistingSnapshot> byName =
        existing.stream().collect(Collectors.toMap(ExistingSnapshot::name, s -> s, (a, b) -> a));
    Map<String, List<ExistingSnapshot>> activeByVm =
        existing.stream()
            .filter(ExistingSnapshot::active)
            .collect(Collectors.groupingBy(ExistingSnapshot::vm));
    return selectedVms.stream()
        .sorted()
        .distinct()
        .map(
            vm -> {
              String name = ChildNames.scheduledSnapshot(schedule, vm, fireTime);
              if (byName.containsKey(name)) {
                return new Step(vm, name, Action.ALREADY_EXISTS, null);
              }
              if (policy != ConcurrencyPolicy.Allow) {
                Optional<ExistingSnapshot> running =
                    activeByVm.getOrDefault(vm, List.of()).stream()
                        .max(Comparator.comparing(ExistingSnapshot::created));
                if (running.isPresent()) {
                  return new Step(vm, name, Action.SKIP_ACTIVE, running.get().name());
                }
              }
              return new Step(vm, name, Action.CREATE, null);
            })
        .toList();
  }
}
