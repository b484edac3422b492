package io.quiesce.snapshot;

import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The disks to snapshot: the VM's {@code persistentVolumeClaim} and {@code dataVolume} volumes (a
 * DataVolume's PVC has its name), limited to {@code spec.volumes} when given.
 */
final class DiskPlanner {
    private DiskPlanner() {
    }

    /** One disk: the VM's volume name and the claim behind it. */
    record Disk(String volume, String claim) {
    }

    /** The disks, or a failure reason and message. */
    record Plan(List<Disk> disks, String failureReason, String failureMessage) {
        boolean ok() {
            return failureReason == null;
        }
    }

    static Plan plan(VirtualMachine vm, List<String> wanted) {
        List<Volume> volumes = vm.getSpec() == null || vm.getSpec().getTemplate() == null
                || vm.getSpec().getTemplate().getSpec() == null
                || vm.getSpec().getTemplate().getSpec().getVolumes() == null
                ? List.of() : vm.getSpec().getTemplate().getSpec().getVolumes();
        Map<String, Disk> byVolume = new LinkedHashMap<>();
        for (Volume v : volumes) {
            v.claimName().ifPresent(claim -> byVolume.put(v.getName(), new Disk(v.getName(), claim)));
        }
        String vmName = vm.getMetadata().getName();
        if (wanted == null || wanted.isEmpty()) {
            if (byVolume.isEmpty()) {
                return new Plan(List.of(), "NoPersistentVolumes", "VirtualMachine " + vmName
                        + " has no persistentVolumeClaim or dataVolume volumes to snapshot");
            }
            return new Plan(List.copyOf(byVolume.values()), null, null);
        }
        List<Disk> chosen = new ArrayList<>();
        for (String name : wanted) {
            Disk disk = byVolume.get(name);
            if (disk == null) {
                boolean exists = volumes.stream().anyMatch(v -> name.equals(v.getName()));
                return new Plan(List.of(), "VolumeNotFound", "spec.volumes names " + name + ", which "
                        + (exists ? "is not backed by a PVC or DataVolume" : "is not a volume")
                        + " of VirtualMachine " + vmName + "; volumes with PVCs: " + byVolume.keySet());
            }
            chosen.add(disk);
        }
        return new Plan(chosen, null, null);
    }
}
