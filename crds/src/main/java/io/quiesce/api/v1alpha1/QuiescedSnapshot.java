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

/** One filesystem-consistent snapshot of one KubeVirt VirtualMachine. */
@Group(QuiescedSnapshot.GROUP)
@Version(QuiescedSnapshot.VERSION)
// named, not derived: CustomResource's constructor otherwise runs fabric8's Pluralize regexes
// twice for every instance (each decoded watch event): 8 % of the operator's CPU in a fire
@Plural("quiescedsnapshots")
@ShortNames("qsnap")
@Categories(QuiescedSnapshot.CATEGORY)
// kubectl get shows the columns in this order (GenerateCrds keeps it), Age last as for its own
// kinds
@AdditionalPrinterColumn(name = "VM", jsonPath = ".spec.source", type = Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Consistency", jsonPath = ".status.consistency", type = Type.STRING)
@AdditionalPrinterColumn(
    name = "Frozen-ms",
    jsonPath = ".status.freeze.durationMs",
    type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
// spec and status come from CustomResource, so their descriptions are set here
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          spec: {description: "What to snapshot and how. Immutable once created: a different request is a new QuiescedSnapshot."}
          status: {description: "What happened, written by the operator and, for the freeze window, by the node helper."}
        """)
public class QuiescedSnapshot extends CustomResource<QuiescedSnapshotSpec, QuiescedSnapshotStatus>
    implements Namespaced {
  public static final String GROUP = "quiesce.io";
  public static final String VERSION = "v1alpha1";

  /** The category of both kinds: {@code kubectl get quiesce} lists them. */
  public static final String CATEGORY = "quiesce";
}
