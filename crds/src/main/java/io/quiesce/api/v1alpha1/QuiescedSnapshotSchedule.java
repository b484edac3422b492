package io.quiesce.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Quiesced snapshots of every VM a selector matches, on a cron schedule, with retention. */
@Group(QuiescedSnapshot.GROUP)
@Version(QuiescedSnapshot.VERSION)
@ShortNames("qsched")
@Categories(QuiescedSnapshot.CATEGORY)
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = Type.STRING)
@AdditionalPrinterColumn(name = "TimeZone", jsonPath = ".spec.timeZone", type = Type.STRING)
@AdditionalPrinterColumn(name = "Suspend", jsonPath = ".spec.suspend", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Last", jsonPath = ".status.lastScheduleTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextScheduleTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class QuiescedSnapshotSchedule
        extends CustomResource<QuiescedSnapshotScheduleSpec, QuiescedSnapshotScheduleStatus> implements Namespaced {
}
