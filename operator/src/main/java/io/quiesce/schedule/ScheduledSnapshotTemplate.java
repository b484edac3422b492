package io.quiesce.schedule;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.api.v1alpha1.TemplateMetadata;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a schedule's {@code template} into the QuiescedSnapshot of one VM at one fire, or of the
 * group of every VM one fire selected ({@code grouping: ConsistencyGroup}).
 *
 * <p>No ownerReference to the schedule, on purpose: deleting a schedule must not delete the backups
 * it took (Kubernetes' garbage collector would), and an ownerReference is no better proof than a
 * label: whoever may create a QuiescedSnapshot may write one. Snapshots are found again through
 * their provenance label {@code quiesce.io/schedule}; the annotation of the same key carries the
 * full schedule name, and {@code quiesce.io/schedule-uid} the schedule's UID, which the chart's
 * admission policy lets only the operator set. A snapshot counts as the schedule's only with all
 * three.
 */
final class ScheduledSnapshotTemplate {
  private final String schedule;
  private final String scheduleUid;
  private final String namespace;
  private final SnapshotTemplate template;

  /**
   * The schedule's label value, worked out once: {@link #created} asks for it for every snapshot in
   * every reconcile of the schedule.
   */
  private final String scheduleLabel;

  ScheduledSnapshotTemplate(
      String schedule, String scheduleUid, String namespace, SnapshotTemplate template) {
    this.schedule = schedule;
    this.scheduleUid = scheduleUid;
    this.namespace = namespace;
    this.template = template == null ? new SnapshotTemplate() : template;
    this.scheduleLabel = ChildNames.labelValue(schedule);
  }

  /** Why the template cannot be used, if it cannot (the API server's CEL rule says the same). */
  Optional<String> problem() {
    TemplateMetadata metadata = template.getMetadata();
    if (metadata == null) {
      return Optional.empty();
    }
    return reservedKey(metadata.getLabels())
        .map(k -> "template label key " + k + " is reserved for the operator")
        .or(
            () ->
                reservedKey(metadata.getAnnotations())
                    .map(k -> "template annotation key " + k + " is reserved for the operator"));
  }

  private static Optional<String> reservedKey(Map<String, String> map) {
    return map == null
        ? Optional.empty()
        : map.keySet().stream().filter(k -> k.startsWith(Provenance.PREFIX)).sorted().findFirst();
  }

  /** The snapshot a fire's step creates: of its VM, or of its group. */
  QuiescedSnapshot snapshotOf(FirePlan.Step step, Instant fireTime) {
    return step.group()
        ? groupSnapshotOf(step.groupVms(), fireTime)
        : snapshotOf(step.vm(), fireTime);
  }

  /** The snapshot of {@code vm} for the fire at {@code fireTime}. */
  QuiescedSnapshot snapshotOf(String vm, Instant fireTime) {
    QuiescedSnapshot snapshot =
        withProvenance(ChildNames.scheduledSnapshot(schedule, vm, fireTime), vm);
    QuiescedSnapshotSpec spec = templateSpec();
    spec.setSource(vm);
    snapshot.setSpec(spec);
    return snapshot;
  }

  /**
   * The one snapshot of a {@code grouping: ConsistencyGroup} fire: {@code spec.sources.vms} are the
   * names the fire selected, so the group is what the fire saw, whatever is labelled later. Its
   * provenance is a per-VM snapshot's, without the {@code quiesce.io/vm} label (it has no one VM).
   */
  QuiescedSnapshot groupSnapshotOf(List<String> vms, Instant fireTime) {
    QuiescedSnapshot snapshot =
        withProvenance(ChildNames.scheduledGroupSnapshot(schedule, fireTime), null);
    QuiescedSnapshotSpec spec = templateSpec();
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(vms.stream().sorted().distinct().toList());
    spec.setSources(sources);
    snapshot.setSpec(spec);
    return snapshot;
  }

  private QuiescedSnapshot withProvenance(String name, String vm) {
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    TemplateMetadata metadata = template.getMetadata();
    if (metadata != null && metadata.getLabels() != null) {
      labels.putAll(metadata.getLabels());
    }
    if (metadata != null && metadata.getAnnotations() != null) {
      annotations.putAll(metadata.getAnnotations());
    }
    labels.put(Provenance.SCHEDULE, ChildNames.labelValue(schedule));
    if (vm != null) {
      labels.put(Provenance.VM, ChildNames.labelValue(vm));
    }
    labels.put(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE);
    annotations.put(Provenance.SCHEDULE, schedule);
    if (scheduleUid != null) {
      annotations.put(Provenance.SCHEDULE_UID, scheduleUid);
    }
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName(name)
            .withLabels(labels)
            .withAnnotations(annotations)
            .build());
    return snapshot;
  }

  /**
   * Why the template cannot make group snapshots, if it cannot (the CRD's CEL rules say so too).
   */
  Optional<String> groupProblem() {
    SnapshotOptions options = template.getSpec();
    if (options == null) {
      return Optional.empty();
    }
    if (options.getVolumes() != null) {
      return Optional.of(
          "template.spec.volumes names the volumes of one VM: it cannot be set with grouping"
              + " ConsistencyGroup");
    }
    return Optional.empty();
  }

  /** A deep copy (through JSON) of the template's options, as a snapshot spec without a source. */
  private QuiescedSnapshotSpec templateSpec() {
    SnapshotOptions options =
        template.getSpec() == null ? new SnapshotOptions() : template.getSpec();
    return Serialization.jsonMapper().convertValue(options, QuiescedSnapshotSpec.class);
  }

  /** The schedule a snapshot of ours belongs to: the annotation, else the label. */
  static Optional<String> scheduleOf(QuiescedSnapshot snapshot) {
    Map<String, String> annotations = snapshot.getMetadata().getAnnotations();
    if (annotations != null && annotations.get(Provenance.SCHEDULE) != null) {
      return Optional.of(annotations.get(Provenance.SCHEDULE));
    }
    Map<String, String> labels = snapshot.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(Provenance.SCHEDULE));
  }

  /** Whether {@code snapshot} is one this template's schedule created. */
  boolean created(QuiescedSnapshot snapshot) {
    return belongsTo(snapshot, schedule, scheduleLabel, scheduleUid);
  }

  /**
   * True when {@code snapshot} carries this schedule's provenance: the label, the name annotation
   * and the UID annotation of this very schedule (not an older one of the same name).
   */
  static boolean belongsTo(QuiescedSnapshot snapshot, String schedule, String scheduleUid) {
    return belongsTo(snapshot, schedule, ChildNames.labelValue(schedule), scheduleUid);
  }

  private static boolean belongsTo(
      QuiescedSnapshot snapshot, String schedule, String scheduleLabel, String scheduleUid) {
    Map<String, String> labels = snapshot.getMetadata().getLabels();
    Map<String, String> annotations = snapshot.getMetadata().getAnnotations();
    return scheduleUid != null
        && labels != null
        && annotations != null
        && scheduleLabel.equals(labels.get(Provenance.SCHEDULE))
        && schedule.equals(annotations.get(Provenance.SCHEDULE))
        && scheduleUid.equals(annotations.get(Provenance.SCHEDULE_UID));
  }
}
