package io.quiesce.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.kube.kubevirt.DomainSpec;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceSpec;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.kube.kubevirt.VolumeStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The copies the operator's informers keep: each object as read, minus what no reader of the cache
 * reads. With 5,000 VMs the caches hold 5,000 VMs, instances, claims and snapshots, and what the
 * API returns beyond the read fields was most of the operator's heap (docs/performance.md, "5,000
 * VMs and the operator's heap").
 *
 * <p>Every copy loses {@code metadata.managedFields} and kubectl's last-applied annotation (a
 * second copy of the object). Beyond that, per kind, what is kept is what its readers read:
 *
 * <ul>
 *   <li>VirtualMachine: its whole spec ({@link io.quiesce.restore.VmDefinitions} captures it for a
 *       restore into a new VM) and the declared status fields;
 *   <li>VirtualMachineInstance: the declared fields, plus the undeclared ones read by name: {@code
 *       status.phaseTransitionTimestamps} and {@code status.guestOSInfo.id} ({@link VmiPreflight}),
 *       {@code status.volumeStatus[].hotplugVolume} and {@code spec.volumes[].memoryDump} ({@link
 *       DiskPlanner});
 *   <li>PersistentVolumeClaim: its storage class (the one field {@link ClusterObserver} reads),
 *       volume name and phase;
 *   <li>QuiescedSnapshot, the snapshot controller's copy: all but {@code status.vmDefinition},
 *       which only a restore reads (through a GET of the snapshot, {@code RestoreObserver}); the
 *       reconciler's writes are merge patches of the fields it sets, so a field missing from the
 *       copy is kept as stored. In the operator the schedules read this copy too ({@code
 *       ScheduledSnapshots}: metadata, spec, phase and times, all kept);
 *   <li>QuiescedSnapshot, the schedules' own copy, when the schedule controller runs without the
 *       snapshot controller: metadata, spec, and the status's phase, consistency, start and
 *       completion times.
 * </ul>
 *
 * Objects are trimmed in place: each is a fresh copy deserialized from a list or watch event.
 */
public final class CachedCopies {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /** Undeclared fields of an instance's status that are read (see {@link VmiPreflight}). */
  static final Set<String> VMI_STATUS_READ = Set.of("phaseTransitionTimestamps", "guestOSInfo");

  private CachedCopies() {}

  /** The item store of the snapshot controller's own QuiescedSnapshot informer. */
  public static final class SnapshotStore extends TransformingItemStore<QuiescedSnapshot> {
    public SnapshotStore() {
      super(CachedCopies::snapshot);
    }
  }

  /**
   * The item store of the schedules' own QuiescedSnapshot informer (a schedule controller without
   * the snapshot controller), of which the schedule reconciler reads the metadata, the spec, and
   * the phase and times of the status ({@code ScheduleHistory}, {@code ScheduleRetention}, {@code
   * FirePlan}).
   */
  public static TransformingItemStore<QuiescedSnapshot> scheduledSnapshotStore() {
    return new TransformingItemStore<>(CachedCopies::scheduledSnapshot);
  }

  static TransformingItemStore<VirtualMachine> vmStore() {
    return new TransformingItemStore<>(CachedCopies::vm);
  }

  static TransformingItemStore<VirtualMachineInstance> vmiStore() {
    return new TransformingItemStore<>(CachedCopies::vmi);
  }

  static TransformingItemStore<PersistentVolumeClaim> pvcStore() {
    return new TransformingItemStore<>(CachedCopies::pvc);
  }

  /**
   * {@code mapper}'s copy that reads a QuiescedSnapshot as the snapshot controller's cache keeps
   * it, without {@code status.vmDefinition} ({@link #snapshot}): the value is skipped, never
   * decoded, in the watch events of the operator's informers and in the replies to its own writes
   * (whose copy JOSDK caches until the informer's event replaces it).
   */
  public static ObjectMapper withoutVmDefinition(ObjectMapper mapper) {
    return mapper.copy().addMixIn(QuiescedSnapshotStatus.class, NoVmDefinition.class);
  }

  @JsonIgnoreProperties("vmDefinition")
  private abstract static class NoVmDefinition {}

  /** Longest label or annotation value shared through {@link String#intern()}. */
  private static final int SHARED_VALUE_MAX = 63;

  static <R extends HasMetadata> R metadata(R object) {
    ObjectMeta meta = object.getMetadata();
    if (meta != null) {
      meta.setManagedFields(null);
      if (meta.getAnnotations() != null) {
        meta.getAnnotations().remove(LAST_APPLIED);
      }
      // each copy deserializes its own namespace, label and annotation strings: thousands of
      // copies of the same few (a namespace, quiesce.io/schedule=nightly, kubevirt.io/nodeName)
      if (meta.getNamespace() != null) {
        meta.setNamespace(meta.getNamespace().intern());
      }
      meta.setLabels(shared(meta.getLabels()));
      meta.setAnnotations(shared(meta.getAnnotations()));
    }
    return object;
  }

  private static Map<String, String> shared(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return map;
    }
    Map<String, String> out = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
    map.forEach(
        (k, v) ->
            out.put(k.intern(), v != null && v.length() <= SHARED_VALUE_MAX ? v.intern() : v));
    return out;
  }

  static QuiescedSnapshot snapshot(QuiescedSnapshot s) {
    metadata(s);
    if (s.getStatus() != null) {
      s.getStatus().setVmDefinition(null);
      for (Condition c :
          s.getStatus().getConditions() == null
              ? List.<Condition>of()
              : s.getStatus().getConditions()) {
        c.setType(intern(c.getType()));
        c.setStatus(intern(c.getStatus()));
        c.setReason(intern(c.getReason()));
      }
    }
    return s;
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  static QuiescedSnapshot scheduledSnapshot(QuiescedSnapshot read) {
    QuiescedSnapshot kept = new QuiescedSnapshot();
    kept.setMetadata(metadata(read).getMetadata());
    kept.setSpec(read.getSpec());
    QuiescedSnapshotStatus status = read.getStatus();
    if (status != null) {
      QuiescedSnapshotStatus times = new QuiescedSnapshotStatus();
      times.setPhase(status.getPhase());
      times.setConsistency(status.getConsistency());
      times.setStartTime(status.getStartTime());
      times.setCompletionTime(status.getCompletionTime());
      kept.setStatus(times);
    }
    return kept;
  }

  static VirtualMachine vm(VirtualMachine vm) {
    metadata(vm);
    if (vm.getStatus() != null) {
      // conditions, volume snapshot statuses, printable history: no reader
      vm.getStatus().getAdditionalProperties().clear();
    }
    return vm;
  }

  static VirtualMachineInstance vmi(VirtualMachineInstance vmi) {
    metadata(vmi);
    VirtualMachineInstanceSpec spec = vmi.getSpec();
    if (spec != null) {
      spec.getAdditionalProperties().clear();
      DomainSpec domain = spec.getDomain();
      if (domain != null) {
        domain.getAdditionalProperties().clear();
        if (domain.getDevices() != null) {
          domain.getDevices().getAdditionalProperties().clear();
        }
      }
      if (spec.getVolumes() != null) {
        for (Volume v : spec.getVolumes()) {
          // a cloud-init volume's user data, a container disk's image: no reader
          v.getAdditionalProperties().keySet().retainAll(Set.of("memoryDump"));
        }
      }
    }
    VirtualMachineInstanceStatus status = vmi.getStatus();
    if (status != null) {
      Map<String, Object> undeclared = status.getAdditionalProperties();
      undeclared.keySet().retainAll(VMI_STATUS_READ);
      if (undeclared.get("guestOSInfo") instanceof Map<?, ?> info) {
        Object id = info.get("id");
        if (id == null) {
          undeclared.remove("guestOSInfo");
        } else {
          undeclared.put("guestOSInfo", Map.of("id", id));
        }
      }
      if (status.getVolumeStatus() != null) {
        for (VolumeStatus v : status.getVolumeStatus()) {
          v.getAdditionalProperties().keySet().retainAll(Set.of("hotplugVolume"));
          if (v.getPersistentVolumeClaimInfo() != null) {
            v.getPersistentVolumeClaimInfo().getAdditionalProperties().clear();
          }
        }
      }
    }
    return vmi;
  }

  static PersistentVolumeClaim pvc(PersistentVolumeClaim read) {
    PersistentVolumeClaim kept = new PersistentVolumeClaim();
    kept.setApiVersion(read.getApiVersion());
    kept.setKind(read.getKind());
    kept.setMetadata(metadata(read).getMetadata());
    if (read.getSpec() != null) {
      PersistentVolumeClaimSpec spec = new PersistentVolumeClaimSpec();
      spec.setStorageClassName(read.getSpec().getStorageClassName());
      spec.setVolumeName(read.getSpec().getVolumeName());
      kept.setSpec(spec);
    }
    if (read.getStatus() != null) {
      PersistentVolumeClaimStatus status = new PersistentVolumeClaimStatus();
      status.setPhase(read.getStatus().getPhase());
      kept.setStatus(status);
    }
    return kept;
  }
}
