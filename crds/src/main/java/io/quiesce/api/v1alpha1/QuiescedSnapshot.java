package io.quiesce.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One filesystem-consistent snapshot of one KubeVirt VirtualMachine. */
@Group(QuiescedSnapshot.GROUP)
@Version(QuiescedSnapshot.VERSION)
@ShortNames("qsnap")
public class QuiescedSnapshot extends CustomResource<QuiescedSnapshotSpec, QuiescedSnapshotStatus>
        implements Namespaced {
    public static final String GROUP = "quiesce.io";
    public static final String VERSION = "v1alpha1";
}
