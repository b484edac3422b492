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

/** Quiesced snapshots of every VM a selector matches, on a cron schedule, with retention. */
@Group(QuiescedSnapshot.GROUP)
@Version(QuiescedSnapshot.VERSION)
// named, not derived: CustomResource's constructor otherwise runs fabric8's Pluralize regexes
// twice for every instance (each decoded watch event): 8 % of the operator's CPU in a fire
@Plural("quiescedsnapshotschedules")
@ShortNames("qsched")
@Categories(QuiescedSnapshot.CATEGORY)
// kubectl get shows the columns in this order (GenerateCrds keeps it), Age last as for its own
// kinds
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = Type.STRING)
@AdditionalPrinterColumn(name = "TimeZone", jsonPath = ".spec.timeZone", type = Type.STRING)
@AdditionalPrinterColumn(name = "Suspend", jsonPath = ".spec.suspend", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Last", jsonPath = ".status.lastScheduleTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextScheduleTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
// spec and status come from CustomResource, so their descriptions are set here
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          spec: {description: "When to snapshot which VMs, how, and how many snapshots to keep."}
          status: {description: "What the schedule has done and will do next, written by the operator."}
        """)
public class QuiescedSnapshotSchedule
    extends CustomResource<QuiescedSnapshotScheduleSpec, QuiescedSnapshotScheduleStatus>
    implements Namespaced {}
