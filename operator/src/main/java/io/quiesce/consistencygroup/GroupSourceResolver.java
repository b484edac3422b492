package io.quiesce.consistencygroup;

import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import io.quiesce.schedule.VmSelector;
import io.quiesce.status.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which VMs a consistency group ({@code spec.sources}) freezes: the named VMs, or those {@code
 * vmSelector} selects, each with its running instance. A VM that does not exist or does not run is
 * left out: under {@code Required} that fails the group before anything is frozen, naming the VM;
 * under {@code BestEffort} (and {@code Skip}) it is recorded and named, and the others go on. Pure:
 * the caller reads the cluster.
 */
public final class GroupSourceResolver {
  private GroupSourceResolver() {}

  /** A VM of the group that runs, with its instance (on a node). */
  public record Running(VirtualMachine vm, VirtualMachineInstance vmi) {
    public String name() {
      return vm.getMetadata().getName();
    }

    public String node() {
      return vmi.getStatus().getNodeName();
    }
  }

  /** A VM of the group that is left out, with the reason and a message naming it. */
  public record LeftOut(String vm, String reason, String message) {}

  /**
   * The group: the VMs that run and the ones left out; or a failure; or why it must wait a little
   * (an instance not on a node yet, a migration).
   */
  public record Resolution(
      List<Running> running,
      List<LeftOut> leftOut,
      String failureReason,
      String failureMessage,
      String waitReason,
      String waitMessage) {
    public boolean ok() {
      return failureReason == null && waitReason == null;
    }

    static Resolution failed(String reason, String message) {
      return new Resolution(List.of(), List.of(), reason, message, null, null);
    }

    static Resolution waiting(String reason, String message) {
      return new Resolution(List.of(), List.of(), null, null, reason, message);
    }
  }

  /**
   * @param vms the VirtualMachines to choose from: for {@code vms}, those found by name (a name not
   *     among them does not exist); for {@code vmSelector}, every VM of the namespace
   * @param vmis the instance of a VM by its name, if any
   */
  public static Resolution resolve(
      String namespace,
      SnapshotSources sources,
      QuiesceMode mode,
      List<VirtualMachine> vms,
      Function<String, Optional<VirtualMachineInstance>> vmis) {
    List<String> wanted;
    if (sources.getVms() != null) {
      wanted = List.copyOf(new LinkedHashSet<>(sources.getVms()));
    } else {
      VmSelector selector;
      try {
        selector = VmSelector.of(sources.getVmSelector());
      } catch (IllegalArgumentException e) {
        return Resolution.failed(
            Reason.INVALID_SPEC.wire(), "spec.sources.vmSelector: " + e.getMessage());
      }
      wanted =
          vms.stream()
              .filter(vm -> selector.matches(vm.getMetadata().getLabels()))
              .map(vm -> vm.getMetadata().getName())
              .sorted(Comparator.naturalOrder())
              .toList();
      if (wanted.isEmpty()) {
        return Resolution.failed(
            Reason.SOURCE_NOT_FOUND.wire(),
            "spec.sources.vmSelector selects no VirtualMachine in namespace " + namespace);
      }
      if (wanted.size() > SnapshotSources.MAX_VMS) {
        return Resolution.failed(
            Reason.INVALID_SPEC.wire(),
            "spec.sources.vmSelector selects "
                + wanted.size()
                + " VirtualMachines in namespace "
                + namespace
                + "; a group has at most "
                + SnapshotSources.MAX_VMS);
      }
    }
    List<Running> running = new ArrayList<>();
    List<LeftOut> leftOut = new ArrayList<>();
    for (String name : wanted) {
      Optional<VirtualMachine> vm =
          vms.stream().filter(v -> name.equals(v.getMetadata().getName())).findFirst();
      if (vm.isEmpty()) {
        leftOut.add(
            new LeftOut(
                name,
                Reason.SOURCE_NOT_FOUND.wire(),
                "VirtualMachine " + namespace + "/" + name + " not found"));
        continue;
      }
      Optional<VirtualMachineInstance> vmi = vmis.apply(name).filter(GroupSourceResolver::isLive);
      if (vmi.isEmpty()) {
        leftOut.add(
            new LeftOut(
                name,
                Reason.VIRTUAL_MACHINE_STOPPED.wire(),
                "VirtualMachine " + namespace + "/" + name + " is stopped (no running instance)"));
        continue;
      }
      VirtualMachineInstanceStatus st = vmi.get().getStatus();
      if (st.getMigrationState() != null && st.getMigrationState().isInProgress()) {
        return Resolution.waiting(
            Reason.MIGRATING.wire(),
            "VirtualMachineInstance "
                + namespace
                + "/"
                + name
                + " is migrating; waiting for it to settle");
      }
      if (st.getNodeName() == null) {
        return Resolution.waiting(
            Reason.WAITING_FOR_NODE.wire(),
            "VirtualMachineInstance " + namespace + "/" + name + " is not on a node yet");
      }
      running.add(new Running(vm.get(), vmi.get()));
    }
    if (!leftOut.isEmpty() && (mode == QuiesceMode.Required || running.isEmpty())) {
      return Resolution.failed(
          leftOut.get(0).reason(),
          "not snapshotted: "
              + leftOut.stream().map(LeftOut::message).collect(Collectors.joining("; "))
              + (running.isEmpty()
                  ? "; no VM of the group runs"
                  : "; mode Required: the group fails whole")
              + ". Nothing was frozen or cut.");
    }
    return new Resolution(List.copyOf(running), List.copyOf(leftOut), null, null, null, null);
  }

  private static boolean isLive(VirtualMachineInstance vmi) {
    String phase = vmi.getStatus() == null ? null : vmi.getStatus().getPhase();
    return vmi.getStatus() != null
        && !VirtualMachineInstanceStatus.PHASE_SUCCEEDED.equals(phase)
        && !VirtualMachineInstanceStatus.PHASE_FAILED.equals(phase);
  }
}
