package io.quiesce.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeGroupMode;
import io.quiesce.api.v1alpha1.VolumeGroupSnapshotRecord;
import io.quiesce.groups.GroupSnapshotRequests;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotApi;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.snapshot.GroupObservation.GroupClassInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds to an {@link Observation} what group snapshots need: for a Pending snapshot, the served
 * version of the group-snapshot API and its classes (read at most every {@link #REFRESH}, so that
 * Pending snapshots do not cost discovery requests each); for an InProgress one with a planned
 * group, its VolumeGroupSnapshot and the member VolumeSnapshots the group controller created (not
 * labelled by Quiesce, so not in the operator's VolumeSnapshot informer).
 */
final class GroupSnapshotObserver {
  static final Duration REFRESH = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(GroupSnapshotObserver.class);

  private final KubernetesClient client;
  private final Clock clock;
  private volatile Facts facts;

  GroupSnapshotObserver(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  private record Facts(GroupObservation observation, Instant readAt) {}

  Observation complete(Observation o) {
    QuiescedSnapshot s = o.snapshot();
    SnapshotPhase phase =
        s.getStatus() == null || s.getStatus().getPhase() == null
            ? SnapshotPhase.Pending
            : s.getStatus().getPhase();
    if (phase == SnapshotPhase.Pending
        && o.vm().isPresent()
        && VolumeGroupPlanner.mode(s) != VolumeGroupMode.Never) {
      return o.withGroups(facts(), Map.of());
    }
    Optional<VolumeGroupSnapshotRecord> planned = GroupSnapshotRequests.planned(s);
    if (phase != SnapshotPhase.InProgress || planned.isEmpty()) {
      return o;
    }
    VolumeGroupSnapshotRecord group = planned.get();
    String ns = s.getMetadata().getNamespace();
    String version = VolumeGroupSnapshotApi.versionOf(group.getApiVersion());
    VolumeGroupSnapshot live = VolumeGroupSnapshotApi.get(client, version, ns, group.getName());
    Map<String, VolumeSnapshot> members =
        live == null
            ? Map.of()
            : client.resources(VolumeSnapshot.class).inNamespace(ns).list().getItems().stream()
                .filter(vs -> GroupSnapshotRequests.isMember(vs, group.getName()))
                .collect(
                    Collectors.toMap(
                        vs -> vs.getMetadata().getName(), Function.identity(), (a, b) -> a));
    return o.withGroups(GroupObservation.NONE.withGroupSnapshot(live), members);
  }

  /**
   * The served version and classes, read again when older than {@link #REFRESH}: by one reconcile,
   * while the others wait for its answer (every Pending reconcile that found the facts old used to
   * read them itself, up to three discovery GETs each: 2.1 GETs per snapshot in RequestBudgetTest).
   */
  GroupObservation facts() {
    Facts known = facts;
    if (known != null && clock.instant().isBefore(known.readAt().plus(REFRESH))) {
      return known.observation();
    }
    synchronized (this) {
      known = facts;
      Instant now = clock.instant();
      if (known != null && now.isBefore(known.readAt().plus(REFRESH))) {
        return known.observation();
      }
      GroupObservation read = read();
      facts = new Facts(read, clock.instant());
      return read;
    }
  }

  private GroupObservation read() {
    GroupObservation read;
    try {
      Optional<String> version = VolumeGroupSnapshotApi.servedVersion(client);
      List<GroupClassInfo> classes =
          version
              .map(
                  v ->
                      VolumeGroupSnapshotApi.listClasses(client, v).stream()
                          .map(
                              c ->
                                  new GroupClassInfo(
                                      c.getMetadata().getName(), c.getDriver(), c.isDefault()))
                          .toList())
              .orElse(List.of());
      read = new GroupObservation(version, classes, Optional.empty());
    } catch (KubernetesClientException e) {
      // e.g. no RBAC on the group API: as a cluster without it (Required then fails saying so)
      LOG.warn("cannot read the group snapshot API, taking it as not served: {}", e.getMessage());
      read = GroupObservation.NONE;
    }
    return read;
  }
}
