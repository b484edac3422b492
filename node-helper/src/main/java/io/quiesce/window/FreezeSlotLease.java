package io.quiesce.window;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.naming.Provenance;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The helper's side of the cluster freeze cap: right before it freezes, it reads the freeze slot
 * Lease the operator named on the snapshot ({@code quiesce.io/freeze-slot}) in its own namespace
 * (the operator's; users cannot write there) and freezes only when that Lease names the snapshot's
 * uid as its holder. The operator takes that Lease with compare-and-swap before it assigns, and
 * hands a slot over only on evidence that its holder's freeze is over, so a paused former leader's
 * assignment of a slot that has changed hands since is refused here. One GET per freeze.
 */
final class FreezeSlotLease {
  /** {@code quiesce-slot-<i>}, or {@code quiesce-slot-<shard>-<i>} of a sharded operator. */
  private static final Pattern SLOT_NAME =
      Pattern.compile(
          Pattern.quote(Provenance.FREEZE_SLOT_LEASE_PREFIX)
              + "([a-z]([-a-z0-9]{0,20}[a-z0-9])?-)?[0-9]{1,6}");

  private final KubernetesClient client;
  private final String namespace;

  FreezeSlotLease(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * Why the snapshot may never be frozen by this helper, or empty when it names a freeze slot: a
   * snapshot without a well-formed {@code quiesce.io/freeze-slot} annotation was not assigned by an
   * operator that grants slots (by hand, or by an operator from before slots), and the cluster
   * freeze cap cannot be shown to hold for it. Every assignment by this operator names its slot in
   * the same patch as the node label, so no assignment can be seen without it.
   */
  Optional<String> missing(QuiescedSnapshot snapshot) {
    String slot = slotOf(snapshot);
    if (slot == null) {
      return Optional.of(
          "assigned to this node without a freeze slot (annotation "
              + Provenance.FREEZE_SLOT
              + " missing): the cluster freeze cap holds only for snapshots the operator granted a slot;"
              + " not frozen");
    }
    if (!SLOT_NAME.matcher(slot).matches()) {
      return Optional.of(
          "annotation "
              + Provenance.FREEZE_SLOT
              + " does not name a freeze slot Lease; not frozen");
    }
    return Optional.empty();
  }

  /**
   * Why the snapshot may not freeze now, or empty when it may: its slot Lease names it. Also
   * refuses (as {@link #missing} says) a snapshot that names no slot.
   */
  Optional<String> refusal(QuiescedSnapshot snapshot) {
    Optional<String> missing = missing(snapshot);
    if (missing.isPresent()) {
      return missing;
    }
    String slot = slotOf(snapshot);
    Lease lease;
    try {
      lease = client.leases().inNamespace(namespace).withName(slot).get();
    } catch (KubernetesClientException e) {
      return Optional.of("cannot read the freeze slot Lease " + slot + " (" + e.getCode() + ")");
    }
    String holder =
        lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    if (holder == null || !holder.equals(snapshot.getMetadata().getUid())) {
      return Optional.of(
          "the freeze slot Lease "
              + slot
              + (lease == null
                  ? " does not exist"
                  : " is held by " + (holder == null ? "no one" : "another snapshot"))
              + ", not by this one");
    }
    return Optional.empty();
  }

  private static String slotOf(QuiescedSnapshot snapshot) {
    Map<String, String> annotations =
        Objects.requireNonNullElse(snapshot.getMetadata().getAnnotations(), Map.of());
    return annotations.get(Provenance.FREEZE_SLOT);
  }
}
