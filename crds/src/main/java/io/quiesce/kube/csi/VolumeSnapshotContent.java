package io.quiesce.kube.csi;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.SpecAndStatusResource;

/**
 * The snapshot on the storage system, bound one-to-one to a VolumeSnapshot (cluster-scoped).
 * Modelled minimally: Quiesce only reads it.
 */
@Group(VolumeSnapshot.GROUP)
@Version(VolumeSnapshot.VERSION)
@Plural("volumesnapshotcontents")
public class VolumeSnapshotContent
    extends SpecAndStatusResource<VolumeSnapshotContentSpec, VolumeSnapshotContentStatus> {}
