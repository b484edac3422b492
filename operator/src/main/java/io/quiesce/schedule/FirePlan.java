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
 * What one fire does for each selected VM ({@link #plan}), or for the one group of all selected VMs
 * ({@link #planGroup}, {@code grouping: ConsistencyGroup}). Pure: decided from the selected VMs and
 * the schedule's existing snapshots.
 *
 * <ul>
 *   <li>The snapshot of this fire already exists (a repeated fire after a restart or failover):
 *       nothing is created, it counts as created by this fire.
 *   <li>Forbid and an earlier snapshot from this schedule of the VM (of any VM of the group) is
 *       still Pending/InProgress: skipped.
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

  /**
   * One VM's step, or the group's ({@code groupVms} set, {@code vm} null); {@code blockedBy} names
   * the running snapshot for {@link Action#SKIP_ACTIVE}.
   */
  public record Step(
      String vm, String snapshotName, Action action, String blockedBy, List<String> groupVms) {

    /** One VM's step. */
    public Step(String vm, String snapshotName, Action action, String blockedBy) {
      this(vm, snapshotName, action, blockedBy, null);
    }

    public boolean group() {
      return groupVms != null;
    }

    /** The VMs the step snapshots. */
    public List<String> vms() {
      return group() ? groupVms : List.of(vm);
    }

    /** What the step snapshots, for messages: the VM, or {@code group [a, b]}. */
    public String subject() {
      return group() ? "group " + groupVms : vm;
    }
  }

  /**
   * What planning needs to know of an existing snapshot of this schedule ({@code phase} null: not
   * started); {@code vms}: its one VM, or every VM of a group snapshot.
   */
  public record ExistingSnapshot(
      String name, List<String> vms, SnapshotPhase phase, Instant created) {

    /** A snapshot of one VM. */
    public ExistingSnapshot(String name, String vm, SnapshotPhase phase, Instant created) {
      this(name, List.of(vm), phase, created);
    }

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
    Map<String, List<ExistingSnapshot>> activeByVm = activeByVm(existing);
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

  /**
   * The one step of a group fire over {@code selectedVms} (2 to 16, checked by the caller): the
   * group snapshot {@link ChildNames#scheduledGroupSnapshot} of the VMs sorted by name.
   */
  public static Step planGroup(
      String schedule,
      Instant fireTime,
      Collection<String> selectedVms,
      Collection<ExistingSnapshot> existing,
      ConcurrencyPolicy policy) {
    List<String> vms = selectedVms.stream().sorted().distinct().toList();
    String name = ChildNames.scheduledGroupSnapshot(schedule, fireTime);
    if (existing.stream().anyMatch(s -> s.name().equals(name))) {
      return new Step(null, name, Action.ALREADY_EXISTS, null, vms);
    }
    if (policy != ConcurrencyPolicy.Allow) {
      Map<String, List<ExistingSnapshot>> activeByVm = activeByVm(existing);
      Optional<ExistingSnapshot> running =
          vms.stream()
              .flatMap(vm -> activeByVm.getOrDefault(vm, List.of()).stream())
              .max(
                  Comparator.comparing(ExistingSnapshot::created)
                      .thenComparing(ExistingSnapshot::name));
      if (running.isPresent()) {
        return new Step(null, name, Action.SKIP_ACTIVE, running.get().name(), vms);
      }
    }
    return new Step(null, name, Action.CREATE, null, vms);
  }

  /** The active snapshots of each VM (a group snapshot under each of its VMs). */
  private static Map<String, List<ExistingSnapshot>> activeByVm(
      Collection<ExistingSnapshot> existing) {
    return existing.stream()
        .filter(ExistingSnapshot::active)
        .flatMap(s -> s.vms().stream().map(vm -> Map.entry(vm, s)))
        .collect(
            Collectors.groupingBy(
                Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
  }
}
