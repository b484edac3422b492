package io.quiesce.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.api.schema.SchemaPatch;

/**
 * Restores a VirtualMachine from a QuiescedSnapshot of the same namespace: into a new VM, or in
 * place.
 */
@Group(QuiescedSnapshot.GROUP)
@Version(QuiescedSnapshot.VERSION)
// named, not derived: CustomResource's constructor otherwise runs fabric8's Pluralize regexes
// twice for every instance (each decoded watch event): 8 % of the operator's CPU in a fire
@Plural("quiescedsnapshotrestores")
@ShortNames("qrestore")
@Categories(QuiescedSnapshot.CATEGORY)
@AdditionalPrinterColumn(name = "Snapshot", jsonPath = ".spec.source", type = Type.STRING)
@AdditionalPrinterColumn(name = "Target", jsonPath = ".status.targetVM", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.reason", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          spec: {description: "What to restore and where. Immutable once created: a different restore is a new QuiescedSnapshotRestore."}
          status: {description: "Where the restore is, written by the operator."}
        """)
public class QuiescedSnapshotRestore
    extends CustomResource<QuiescedSnapshotRestoreSpec, QuiescedSnapshotRestoreStatus>
    implements Namespaced {
  /**
   * Finalizer a restore puts on its source QuiescedSnapshot while it reads it: the snapshot's own
   * deletion and a schedule's retention wait until no restore in progress reads it any more.
   */
  public static final String SOURCE_FINALIZER = "quiesce.io/restore-in-progress";

  /** Label on the PVCs and the VM a restore creates, naming the restore. */
  public static final String RESTORE_LABEL = "quiesce.io/restore";

  /** Annotation on a restored VM naming the QuiescedSnapshot it was restored from. */
  public static final String RESTORED_FROM_ANNOTATION = "quiesce.io/restored-from";
}
