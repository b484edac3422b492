package io.quiesce.kube.csi;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.SpecAndStatusResource;

/** A user's request for a snapshot of one PVC ({@code snapshot.storage.k8s.io/v1}). */
@Group(VolumeSnapshot.GROUP)
@Version(VolumeSnapshot.VERSION)
@Plural("volumesnapshots")
public class VolumeSnapshot extends SpecAndStatusResource<VolumeSnapshotSpec, VolumeSnapshotStatus>
    implements Namespaced {
  public static final String GROUP = "snapshot.storage.k8s.io";
  public static final String VERSION = "v1";
}
