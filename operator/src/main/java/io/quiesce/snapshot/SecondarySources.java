package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.Volume;
import io.quiesce.naming.Provenance;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers the snapshot reconciler reads the cluster from, each a JOSDK event source whose
 * secondary-to-primary mapper names the open (not terminal) snapshots that depend on a change:
 *
 * <ul>
 *   <li>a VirtualMachine or its instance: the snapshots of that VM (a VM deleted mid-flight is seen
 *       at once), and the group snapshots ({@code spec.sources}) that name it or select by label in
 *       its namespace (a Pending group waiting for a member to start or to finish migrating goes on
 *       as soon as it did);
 *   <li>a PVC: the snapshots of the VMs (or instances, hot-plugged) that use the claim;
 *   <li>a StorageClass or VolumeSnapshotClass: every open snapshot (a new class may unblock a
 *       Pending one);
 *   <li>a helper's heartbeat Lease: the open snapshots of the VMs whose instance runs on its node,
 *       and those assigned to that node, only when the Lease appears or is renewed after going
 *       stale (a renewal of a live helper changes no decision, and a helper's liveness decides
 *       nothing for a VM on another node). It used to wake every open snapshot: on a loaded
 *       machine, where heartbeats go stale and come back often, that was thousands of reconciles in
 *       a fire.
 * </ul>
 *
 * The mappers look the snapshots up in indexes of the primary cache (by {@code namespace/source}),
 * so a change costs no request and no scan of every snapshot.
 */
final class SecondarySources implements ClusterReads {
  private static final String BY_SOURCE = "quiesce-open-by-source";
  private static final String OPEN = "quiesce-open";
  private static final String BY_CLAIM = "quiesce-by-claim";
  private static final String BY_NODE = "quiesce-by-node";

  /** The Leases the operator watches: all of its namespace's but the freeze slots'. */
  static final String LEASES_SELECTOR = "!" + SlotLeases.SLOT_LABEL;

  /** The index key of group snapshots by selector: no VM name has a {@code *}. */
  private static final String ANY_VM = "*";

  /**
   * For the sources read by name only (classes, Leases), never through {@code
   * getSecondaryResources}. Each source is given a primary-to-secondary mapper, because without one
   * JOSDK keeps an index of every primary the secondary-to-primary mapper named, at each event,
   * which it prunes only when the secondary is deleted: a helper's Lease mapped to every open
   * snapshot, a StorageClass too, and the entries of deleted snapshots stayed (at 5,000 VMs,
   * 170,000 ResourceIDs in the operator's heap).
   */
  private static final PrimaryToSecondaryMapper<QuiescedSnapshot> READ_BY_NAME = p -> Set.of();

  private final IndexerResourceCache<QuiescedSnapshot> primaries;
  private final String operatorNamespace;
  private final Duration helperStaleAfter;
  private final InformerEventSource<VirtualMachine, QuiescedSnapshot> vms;
  private final InformerEventSource<VirtualMachineInstance, QuiescedSnapshot> vmis;
  private final InformerEventSource<PersistentVolumeClaim, QuiescedSnapshot> pvcs;
  private final InformerEventSource<StorageClass, QuiescedSnapshot> storageClasses;
  private final InformerEventSource<VolumeSnapshotClass, QuiescedSnapshot> snapshotClasses;
  private final InformerEventSource<Lease, QuiescedSnapshot> leases;

  SecondarySources(
      EventSourceContext<QuiescedSnapshot> context,
      String operatorNamespace,
      Duration helperStaleAfter) {
    this.primaries = context.getPrimaryCache();
    this.operatorNamespace = operatorNamespace;
    this.helperStaleAfter = helperStaleAfter;
    primaries.addIndexers(
        Map.of(
            BY_SOURCE, s -> open(s) ? sourceKeys(s) : List.of(),
            OPEN, s -> open(s) ? List.of(OPEN) : List.of(),
            BY_NODE, s -> open(s) ? assignedNode(s) : List.of()));
    this.vms =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(VirtualMachine.class, QuiescedSnapshot.class)
                .withName("quiesce-vms")
                .withSecondaryToPrimaryMapper(this::snapshotsOfVm)
                .withPrimaryToSecondaryMapper(SecondarySources::vmsOf)
                .withItemStore(CachedCopies.vmStore())
                .build(),
            context);
    this.vmis =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    VirtualMachineInstance.class, QuiescedSnapshot.class)
                .withName("quiesce-vmis")
                .withSecondaryToPrimaryMapper(this::snapshotsOfVm)
                .withPrimaryToSecondaryMapper(SecondarySources::vmsOf)
                .withItemStore(CachedCopies.vmiStore())
                .build(),
            context);
    vms.addIndexers(
        Map.of(BY_CLAIM, vm -> claimKeys(vm, DiskPlanner.allVolumes(vm, Optional.empty()))));
    vmis.addIndexers(
        Map.of(
            BY_NODE,
            vmi ->
                vmi.getStatus() == null || vmi.getStatus().getNodeName() == null
                    ? List.of()
                    : List.of(vmi.getStatus().getNodeName()),
            BY_CLAIM,
            vmi ->
                claimKeys(
                    vmi,
                    vmi.getSpec() == null || vmi.getSpec().getVolumes() == null
                        ? List.of()
                        : vmi.getSpec().getVolumes())));
    this.pvcs =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(
                    PersistentVolumeClaim.class, QuiescedSnapshot.class)
                .withName("quiesce-pvcs")
                .withSecondaryToPrimaryMapper(this::snapshotsUsingClaim)
                .withPrimaryToSecondaryMapper(this::claimsOf)
                .withItemStore(CachedCopies.pvcStore())
                .build(),
            context);
    this.storageClasses =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(StorageClass.class, QuiescedSnapshot.class)
                .withName("quiesce-storageclasses")
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withSecondaryToPrimaryMapper(c -> everyOpenSnapshot())
                .withPrimaryToSecondaryMapper(READ_BY_NAME)
                .build(),
            context);
    this.snapshotClasses =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(VolumeSnapshotClass.class, QuiescedSnapshot.class)
                .withName("quiesce-volumesnapshotclasses")
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withSecondaryToPrimaryMapper(c -> everyOpenSnapshot())
                .withPrimaryToSecondaryMapper(READ_BY_NAME)
                .build(),
            context);
    // the Leases of the operator's namespace but the freeze slots' (helpers' heartbeats, leader
    // election); only a helper's heartbeat wakes snapshots. A slot's Lease, which this operator
    // swaps once per snapshot and reads by GET (SlotLeases), is left out by the API server: its
    // watch events were decoded only to be filtered out here.
    this.leases =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Lease.class, QuiescedSnapshot.class)
                .withName("quiesce-helper-leases")
                .withNamespaces(Set.of(operatorNamespace))
                .withLabelSelector(LEASES_SELECTOR)
                .withFollowControllerNamespacesChanges(false)
                .withGenericFilter(
                    l -> l.getMetadata().getName().startsWith(ClusterObserver.HELPER_LEASE_PREFIX))
                .withOnUpdateFilter((renewed, before) -> cameBack(before, renewed))
                .withSecondaryToPrimaryMapper(this::snapshotsOnNodeOf)
                .withPrimaryToSecondaryMapper(READ_BY_NAME)
                .build(),
            context);
  }

  /** The event sources to register, in this order. */
  List<InformerEventSource<?, QuiescedSnapshot>> eventSources() {
    return List.of(vms, vmis, pvcs, storageClasses, snapshotClasses, leases);
  }

  @Override
  public Optional<VirtualMachine> vm(String namespace, String name) {
    return vms.get(new ResourceID(name, namespace));
  }

  @Override
  public Optional<VirtualMachineInstance> vmi(String namespace, String name) {
    return vmis.get(new ResourceID(name, namespace));
  }

  @Override
  public Optional<PersistentVolumeClaim> pvc(String namespace, String name) {
    return pvcs.get(new ResourceID(name, namespace));
  }

  @Override
  public Optional<StorageClass> storageClass(String name) {
    return storageClasses.get(new ResourceID(name));
  }

  @Override
  public List<VolumeSnapshotClass> snapshotClasses() {
    return snapshotClasses.list().toList();
  }

  @Override
  public Optional<Lease> helperLease(String node) {
    return leases.get(
        new ResourceID(ClusterObserver.HELPER_LEASE_PREFIX + node, operatorNamespace));
  }

  private Set<ResourceID> snapshotsOfVm(HasMetadata vmOrInstance) {
    String ns = vmOrInstance.getMetadata().getNamespace();
    Set<ResourceID> out =
        ids(primaries.byIndex(BY_SOURCE, key(ns, vmOrInstance.getMetadata().getName())));
    out.addAll(ids(primaries.byIndex(BY_SOURCE, key(ns, ANY_VM))));
    return out;
  }

  /**
   * Where a snapshot is filed by its VMs: its source; a group's every named VM (a member that
   * starts or ends its migration wakes the group at once); a group by selector under {@link
   * #ANY_VM} of its namespace, as any VM may come to match it.
   */
  private static List<String> sourceKeys(QuiescedSnapshot s) {
    if (s.getSpec() == null) {
      return List.of();
    }
    String ns = s.getMetadata().getNamespace();
    if (s.getSpec().getSources() != null) {
      List<String> vms = s.getSpec().getSources().getVms();
      return vms == null
          ? List.of(key(ns, ANY_VM))
          : vms.stream().distinct().map(vm -> key(ns, vm)).toList();
    }
    return s.getSpec().getSource() == null ? List.of() : List.of(key(ns, s.getSpec().getSource()));
  }

  /** The VMs (and so instances) a snapshot reads: its source, or a group's named VMs. */
  private static Set<ResourceID> vmsOf(QuiescedSnapshot s) {
    if (s.getSpec() == null) {
      return Set.of();
    }
    String ns = s.getMetadata().getNamespace();
    List<String> names =
        s.getSpec().getSources() != null
            ? Optional.ofNullable(s.getSpec().getSources().getVms()).orElse(List.of())
            : Optional.ofNullable(s.getSpec().getSource()).map(List::of).orElse(List.of());
    return names.stream()
        .map(vm -> new ResourceID(vm, ns))
        .collect(Collectors.toCollection(HashSet::new));
  }

  /** The claims of the VMs a snapshot reads, as their cached copies name them. */
  private Set<ResourceID> claimsOf(QuiescedSnapshot s) {
    Set<ResourceID> claims = new HashSet<>();
    for (ResourceID vm : vmsOf(s)) {
      vms.get(vm)
          .ifPresent(
              v ->
                  DiskPlanner.allVolumes(v, Optional.empty()).stream()
                      .map(Volume::claimName)
                      .flatMap(Optional::stream)
                      .forEach(
                          claim ->
                              claims.add(new ResourceID(claim, vm.getNamespace().orElse(null)))));
    }
    return claims;
  }

  private Set<ResourceID> snapshotsUsingClaim(PersistentVolumeClaim pvc) {
    String claim = key(pvc.getMetadata().getNamespace(), pvc.getMetadata().getName());
    Set<ResourceID> out = new HashSet<>();
    byClaim(vms, claim).forEach(vm -> out.addAll(snapshotsOfVm(vm)));
    byClaim(vmis, claim).forEach(vmi -> out.addAll(snapshotsOfVm(vmi)));
    return out;
  }

  /**
   * The VMs (or instances) that use {@code claim}; none while their source has not started yet.
   * JOSDK starts the event sources in parallel and maps the PVC source's cached claims as it
   * starts, which used to fail the whole start-up ("Couldn't start source quiesce-pvcs") when the
   * VM source's informer did not exist yet. Nothing is lost: every snapshot is reconciled once the
   * controller has started.
   */
  private static <R extends HasMetadata> List<R> byClaim(
      InformerEventSource<R, QuiescedSnapshot> source, String claim) {
    return source.isRunning() ? source.byIndex(BY_CLAIM, claim) : List.of();
  }

  /**
   * The open snapshots a helper's heartbeat can decide: those of the VMs whose instance runs on its
   * node (a Pending one is assigned there) and those assigned to its node already (an instance that
   * moved since still leaves the assignment to that helper).
   */
  private Set<ResourceID> snapshotsOnNodeOf(Lease heartbeat) {
    String node =
        heartbeat.getMetadata().getName().substring(ClusterObserver.HELPER_LEASE_PREFIX.length());
    Set<ResourceID> out = ids(primaries.byIndex(BY_NODE, node));
    if (vmis.isRunning()) {
      vmis.byIndex(BY_NODE, node).forEach(vmi -> out.addAll(snapshotsOfVm(vmi)));
    }
    return out;
  }

  /** The node a snapshot is assigned to ({@code status.nodeName}, else its node label). */
  private static List<String> assignedNode(QuiescedSnapshot s) {
    String node = s.getStatus() == null ? null : s.getStatus().getNodeName();
    if (node == null && s.getMetadata().getLabels() != null) {
      node = s.getMetadata().getLabels().get(Provenance.NODE);
    }
    return node == null ? List.of() : List.of(node);
  }

  private Set<ResourceID> everyOpenSnapshot() {
    return ids(primaries.byIndex(OPEN, OPEN));
  }

  /**
   * A heartbeat that is new, or renewed after a gap longer than the staleness limit: the helper
   * came back.
   */
  private boolean cameBack(Lease before, Lease renewed) {
    Instant was = renewTime(before);
    Instant now = renewTime(renewed);
    return was == null || now != null && Duration.between(was, now).compareTo(helperStaleAfter) > 0;
  }

  private static Instant renewTime(Lease l) {
    return l == null || l.getSpec() == null || l.getSpec().getRenewTime() == null
        ? null
        : l.getSpec().getRenewTime().toInstant();
  }

  private static List<String> claimKeys(HasMetadata owner, List<Volume> volumes) {
    return volumes.stream()
        .map(Volume::claimName)
        .flatMap(Optional::stream)
        .map(claim -> key(owner.getMetadata().getNamespace(), claim))
        .distinct()
        .toList();
  }

  private static boolean open(QuiescedSnapshot s) {
    SnapshotPhase p = s.getStatus() == null ? null : s.getStatus().getPhase();
    return p != SnapshotPhase.Succeeded && p != SnapshotPhase.Failed;
  }

  private static Set<ResourceID> ids(List<QuiescedSnapshot> snapshots) {
    return snapshots.stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
