package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.snapshot.FreezeAdmission.Entry;
import io.quiesce.snapshot.Observation.Admission;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads what {@link SnapshotStateMachine} needs for one snapshot: a Pending one needs the VM, its
 * instance, PVCs, classes, a place in the freeze queue and the helper's heartbeat; an InProgress
 * one only the VM and its VolumeSnapshots, and a place in the freeze queue when it falls back to
 * KubeVirt. Every read is from an informer cache ({@link ClusterReads}): observing sends no
 * request.
 */
public final class ClusterObserver {
  /** Name prefix of the node helpers' heartbeat Leases. */
  public static final String HELPER_LEASE_PREFIX = "quiesce-helper-";

  private final SnapshotSettings settings;

  /** Heartbeat ages on the operator's clock (see {@link HelperHeartbeats}). */
  private final HelperHeartbeats heartbeats;

  private final FreezeSlots slots;

  public ClusterObserver(SnapshotSettings settings, FreezeSlots slots) {
    this.settings = settings;
    this.heartbeats = new HelperHeartbeats(settings.helperStaleAfter());
    this.slots = slots;
  }

  /**
   * Observes {@code s}. For a Pending snapshot whose VM is free, and for the KubeVirt fallback of
   * an InProgress one, this may take a fresh grant in {@link FreezeSlots}, which the caller must
   * commit or settle. Its place in the queue is the one {@link FreezeSlots} keeps from the
   * informer's events.
   */
  public Observation observe(
      ClusterReads reads, QuiescedSnapshot s, Collection<VolumeSnapshot> owned) {
    return observe(reads, s, null, owned);
  }

  /**
   * The same, with the queue ordered by {@code allSnapshots} (a list of any age) instead of the one
   * kept from events.
   */
  public Observation observe(
      ClusterReads reads,
      QuiescedSnapshot s,
      Collection<QuiescedSnapshot> allSnapshots,
      Collection<VolumeSnapshot> owned) {
    Instant now = settings.clock().instant();
    String ns = s.getMetadata().getNamespace();
    SnapshotPhase phase = SnapshotPhase.of(s.getStatus());
    Map<String, VolumeSnapshot> volumeSnapshots =
        owned.stream()
            .collect(
                Collectors.toMap(v -> v.getMetadata().getName(), Function.identity(), (a, b) -> a));
    if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
      return new Observation(
          s,
          now,
          Optional.empty(),
          Optional.empty(),
          Map.of(),
          List.of(),
          Admission.FREE,
          false,
          settings.defaultChannel(),
          volumeSnapshots);
    }
    String source = SnapshotSpecs.spec(s).getSource();
    Optional<VirtualMachine> vm = source == null ? Optional.empty() : reads.vm(ns, source);
    if (phase == SnapshotPhase.InProgress || vm.isEmpty()) {
      Admission admission = Admission.FREE;
      if (vm.isPresent() && SnapshotStateMachine.needsKubeVirtFallback(s.getStatus())) {
        // the KubeVirt fallback freezes too: it takes a grant like any other freeze
        Entry me =
            new Entry(
                ns,
                s.getMetadata().getName(),
                source,
                s.getStatus().getNodeName(),
                SnapshotSpecs.created(s));
        admission =
            allSnapshots == null
                ? slots.tryAdmitStarted(me, s.getMetadata().getUid())
                : slots.tryAdmitStarted(me, s.getMetadata().getUid(), allSnapshots);
      }
      return new Observation(
          s,
          now,
          vm,
          Optional.empty(),
          Map.of(),
          List.of(),
          admission,
          false,
          settings.defaultChannel(),
          volumeSnapshots);
    }
    Optional<VirtualMachineInstance> vmi = reads.vmi(ns, source);
    String node =
        vmi.map(i -> i.getStatus() == null ? null : i.getStatus().getNodeName()).orElse(null);
    Entry me = new Entry(ns, s.getMetadata().getName(), source, node, SnapshotSpecs.created(s));
    Admission admission =
        allSnapshots == null
            ? slots.tryAdmit(me, s.getMetadata().getUid())
            : slots.tryAdmit(me, s.getMetadata().getUid(), allSnapshots);
    Map<String, Optional<String>> drivers =
        pvcDrivers(reads, ns, DiskPlanner.allVolumes(vm.get(), vmi));
    return new Observation(
        s,
        now,
        vm,
        vmi,
        drivers,
        classes(reads),
        admission,
        node != null && heartbeats.alive(node, reads.helperLease(node).orElse(null), now),
        settings.defaultChannel(),
        volumeSnapshots);
  }

  /**
   * Every claim of these volumes (the VM's, and those hot-plugged into its instance) that exists,
   * with the CSI driver of its storage class.
   */
  static Map<String, Optional<String>> pvcDrivers(
      ClusterReads reads, String ns, List<Volume> volumes) {
    Map<String, Optional<String>> drivers = new HashMap<>();
    Map<String, Optional<String>> provisioners = new HashMap<>();
    for (Volume v : volumes) {
      Optional<String> claim = v.claimName();
      if (claim.isEmpty()) {
        continue;
      }
      PersistentVolumeClaim pvc = reads.pvc(ns, claim.get()).orElse(null);
      if (pvc == null) {
        continue;
      }
      String storageClass = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
      drivers.put(
          claim.get(),
          storageClass == null
              ? Optional.empty()
              : provisioners.computeIfAbsent(
                  storageClass, c -> reads.storageClass(c).map(sc -> sc.getProvisioner())));
    }
    return drivers;
  }

  static List<ClassInfo> classes(ClusterReads reads) {
    return reads.snapshotClasses().stream()
        .map(c -> new ClassInfo(c.getMetadata().getName(), c.getDriver(), c.isDefault()))
        .toList();
  }
}
