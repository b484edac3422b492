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
    private static final Pattern SLOT_NAME = Pattern.compile(Pattern.quote(Provenance.FREEZE_SLOT_LEASE_PREFIX)
            + "([a-z]([-a-z0-9]{0,20}[a-z0-9])?-)?[0-9]{1,6}");

    private final KubernetesClient client;
    private final String namespace;

    FreezeSlotLease(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /**
     * Why the snapshot may not freeze now, or empty when it may: its slot Lease names it. A snapshot
     * without the annotation was not assigned by an operator that grants slots (written by hand, or
     * by an older operator) and is not checked.
     */
    Optional<String> refusal(QuiescedSnapshot snapshot) {
        Map<String, String> annotations = Objects.requireNonNullElse(snapshot.getMetadata().getAnnotations(), Map.of());
        String slot = annotations.get(Provenance.FREEZE_SLOT);
        if (slot == null) {
            return Optional.empty();
        }
        if (!SLOT_NAME.matcher(slot).matches()) {
            return Optional.of("annotation " + Provenance.FREEZE_SLOT + " does not name a freeze slot Lease");
        }
        Lease lease;
        try {
            lease = client.leases().inNamespace(namespace).withName(slot).get();
        } catch (KubernetesClientException e) {
            return Optional.of("cannot read the freeze slot Lease " + slot + " (" + e.getCode() + ")");
        }
        String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        if (holder == null || !holder.equals(snapshot.getMetadata().getUid())) {
            return Optional.of("the freeze slot Lease " + slot + (lease == null ? " does not exist"
                    : " is held by " + (holder == null ? "no one" : "another snapshot")) + ", not by this one");
        }
        return Optional.empty();
    }
}
