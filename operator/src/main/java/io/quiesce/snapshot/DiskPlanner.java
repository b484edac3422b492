package io.quiesce.snapshot;

import io.quiesce.api.v1alpha1.ExcludedVolume;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.kube.kubevirt.VolumeStatus;
import io.quiesce.status.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The disks to snapshot: the {@code persistentVolumeClaim} and {@code dataVolume} volumes (a
 * DataVolume's PVC has its name) of the VM and, while it runs, of its instance, limited to {@code
 * spec.volumes} when given.
 *
 * <p>Hot-plugged volumes are included: a volume hot-plugged into the running instance without
 * {@code --persist} is only in the instance's {@code spec.volumes}, not in the VM's template, yet
 * the guest writes to it and the freeze covers it. (KubeVirt's own VirtualMachineSnapshot takes the
 * VM template's volumes only.) Every PVC-backed volume left out is named with the reason, never
 * dropped silently: those {@code spec.volumes} does not name, and {@code memoryDump} volumes.
 */
final class DiskPlanner {
  private DiskPlanner() {}

  /** One disk: the volume name, the claim behind it, and whether it was hot-plugged. */
  record Disk(String volume, String claim, boolean hotplugged) {
    Disk(String volume, String claim) {
      this(volume, claim, false);
    }
  }

  /** The disks and the volumes left out, or a failure reason and message. */
  record Plan(
      List<Disk> disks,
      List<ExcludedVolume> excluded,
      String failureReason,
      String failureMessage) {
    boolean ok() {
      return failureReason == null;
    }

    static Plan failed(String reason, String message) {
      return new Plan(List.of(), List.of(), reason, message);
    }
  }

  static Plan plan(VirtualMachine vm, List<String> wanted) {
    return plan(vm, Optional.empty(), wanted);
  }

  /**
   * @param vmi the running instance, if any: its hot-plugged volumes count too
   */
  static Plan plan(VirtualMachine vm, Optional<VirtualMachineInstance> vmi, List<String> wanted) {
    List<Volume> volumes = allVolumes(vm, vmi);
    Map<String, Disk> byVolume = new LinkedHashMap<>();
    List<ExcludedVolume> excluded = new ArrayList<>();
    Map<String, VolumeStatus> statuses = volumeStatuses(vmi);
    List<String> templateNames = templateVolumes(vm).stream().map(Volume::getName).toList();
    for (Volume v : volumes) {
      boolean hotplugged =
          isHotplugged(v, statuses.get(v.getName()), !templateNames.contains(v.getName()));
      Optional<String> memoryDump = memoryDumpClaim(v);
      if (memoryDump.isPresent()) {
        excluded.add(
            new ExcludedVolume(
                v.getName(),
                memoryDump.get(),
                hotplugged ? true : null,
                ExcludedVolume.MEMORY_DUMP));
        continue;
      }
      v.claimName()
          .ifPresent(
              claim -> byVolume.putIfAbsent(v.getName(), new Disk(v.getName(), claim, hotplugged)));
    }
    String vmName = vm.getMetadata().getName();
    if (wanted == null || wanted.isEmpty()) {
      if (byVolume.isEmpty()) {
        return Plan.failed(
            Reason.NO_PERSISTENT_VOLUMES.wire(),
            "VirtualMachine "
                + vmName
                + " has no persistentVolumeClaim or dataVolume volumes to snapshot");
      }
      return new Plan(List.copyOf(byVolume.values()), List.copyOf(excluded), null, null);
    }
    List<Disk> chosen = new ArrayList<>();
    for (String name : wanted) {
      Disk disk = byVolume.get(name);
      if (disk == null) {
        boolean exists = volumes.stream().anyMatch(v -> name.equals(v.getName()));
        return Plan.failed(
            Reason.VOLUME_NOT_FOUND.wire(),
            "spec.volumes names "
                + name
                + ", which "
                + (exists ? "is not backed by a PVC or DataVolume" : "is not a volume")
                + " of VirtualMachine "
                + vmName
                + "; volumes with PVCs: "
                + byVolume.keySet());
      }
      chosen.add(disk);
    }
    byVolume.values().stream()
        .filter(d -> !wanted.contains(d.volume()))
        .forEach(
            d ->
                excluded.add(
                    new ExcludedVolume(
                        d.volume(),
                        d.claim(),
                        d.hotplugged() ? true : null,
                        ExcludedVolume.NOT_IN_SPEC_VOLUMES)));
    return new Plan(chosen, List.copyOf(excluded), null, null);
  }

  /**
   * The VM template's volumes, then the instance's volumes the template does not have
   * (hot-plugged).
   */
  static List<Volume> allVolumes(VirtualMachine vm, Optional<VirtualMachineInstance> vmi) {
    List<Volume> all = new ArrayList<>(templateVolumes(vm));
    List<String> names = all.stream().map(Volume::getName).toList();
    vmi.filter(i -> i.getSpec() != null && i.getSpec().getVolumes() != null)
        .ifPresent(
            i ->
                i.getSpec().getVolumes().stream()
                    .filter(v -> !names.contains(v.getName()))
                    .forEach(all::add));
    return all;
  }

  private static List<Volume> templateVolumes(VirtualMachine vm) {
    return vm.getSpec() == null
            || vm.getSpec().getTemplate() == null
            || vm.getSpec().getTemplate().getSpec() == null
            || vm.getSpec().getTemplate().getSpec().getVolumes() == null
        ? List.of()
        : vm.getSpec().getTemplate().getSpec().getVolumes();
  }

  private static Map<String, VolumeStatus> volumeStatuses(Optional<VirtualMachineInstance> vmi) {
    Map<String, VolumeStatus> byName = new LinkedHashMap<>();
    vmi.filter(i -> i.getStatus() != null && i.getStatus().getVolumeStatus() != null)
        .ifPresent(
            i ->
                i.getStatus().getVolumeStatus().stream()
                    .filter(s -> s.getName() != null)
                    .forEach(s -> byName.putIfAbsent(s.getName(), s)));
    return byName;
  }

  /**
   * Hot-plugged: marked {@code hotpluggable}, attached by a hotplug pod ({@code
   * volumeStatus[].hotplugVolume}), or on the instance only.
   */
  private static boolean isHotplugged(Volume v, VolumeStatus status, boolean instanceOnly) {
    boolean flagged =
        v.getPersistentVolumeClaim() != null
                && Boolean.TRUE.equals(v.getPersistentVolumeClaim().getHotpluggable())
            || v.getDataVolume() != null
                && Boolean.TRUE.equals(v.getDataVolume().getHotpluggable());
    boolean attachedByHotplug =
        status != null && status.getAdditionalProperties().get("hotplugVolume") != null;
    return flagged || attachedByHotplug || instanceOnly;
  }

  /**
   * The claim of a {@code memoryDump} volume (a hot-plugged PVC KubeVirt dumps the guest's memory
   * into).
   */
  private static Optional<String> memoryDumpClaim(Volume v) {
    Object dump = v.getAdditionalProperties().get("memoryDump");
    if (dump instanceof Map<?, ?> source) {
      return Optional.of(Objects.toString(source.get("claimName"), ""));
    }
    return Optional.empty();
  }
}
