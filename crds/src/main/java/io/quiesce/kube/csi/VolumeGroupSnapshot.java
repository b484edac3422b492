package io.quiesce.kube.csi;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.SpecAndStatusResource;

/**
 * A request to snapshot several PVCs at one point in time ({@code groupsnapshot.storage.k8s.io}).
 * The class's version is the one a default object is written with; the version a cluster serves is
 * found by discovery ({@link VolumeGroupSnapshotApi}) and the object is sent with that one, as the
 * three served versions share these fields.
 */
@Group(VolumeGroupSnapshotApi.GROUP)
@Version(VolumeGroupSnapshotApi.STORAGE_VERSION)
@Plural(VolumeGroupSnapshotApi.PLURAL)
public class VolumeGroupSnapshot
    extends SpecAndStatusResource<VolumeGroupSnapshotSpec, VolumeGroupSnapshotStatus>
    implements Namespaced {}
