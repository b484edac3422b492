package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.quiesce.api.schema.Patterns;
import io.quiesce.api.schema.SchemaPatch;
import java.util.List;
import java.util.Objects;

/**
 * How to take a snapshot, whatever the VM: the QuiescedSnapshot spec without {@code source}. A
 * {@link QuiescedSnapshotSpec} extends it; a schedule's {@code template.spec} is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.failureDeadline) || !has(self.quiesce) || !has(self.quiesce.timeout)"
            + " || !self.failureDeadline.matches('"
            + Patterns.GO_DURATION
            + "')"
            + " || !self.quiesce.timeout.matches('"
            + Patterns.GO_DURATION
            + "')"
            + " || duration(self.failureDeadline) > duration(self.quiesce.timeout)",
    message = "failureDeadline must be longer than quiesce.timeout",
    fieldPath = ".failureDeadline")
@ValidationRule(
    value =
        "!has(self.hooks) || !has(self.quiesce) || !has(self.quiesce.mode)"
            + " || self.quiesce.mode != 'Skip'",
    message = "hooks run around a freeze: they cannot be set when quiesce.mode is Skip",
    fieldPath = ".hooks")
@ValidationRule(
    value =
        "!has(self.hooks) || !has(self.quiesce) || !has(self.quiesce.channel)"
            + " || self.quiesce.channel != 'kubevirt-api'",
    message =
        "hooks need the node helper's guest-exec: KubeVirt's API (channel kubevirt-api) has none",
    fieldPath = ".hooks")
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        "properties: {volumes: {x-kubernetes-list-type: set,"
            + " items: {maxLength: 63, pattern: '"
            + Patterns.DNS_LABEL
            + "'}}}")
public class SnapshotOptions {
  /**
   * The schema's default. Code reading an object no API server defaulted (the mock API server in
   * tests does not) falls back to it.
   */
  public static final String DEFAULT_FAILURE_DEADLINE = "5m";

  @Default("{}")
  @JsonPropertyDescription("How to freeze the guest's filesystems around the cut.")
  private QuiesceOptions quiesce;

  @Size(min = 1, max = 64)
  @JsonPropertyDescription(
      "Snapshot only these volumes of the VM (names from spec.template.spec.volumes of the "
          + "VirtualMachine). Omit to snapshot every persistentVolumeClaim and dataVolume volume.")
  private List<String> volumes;

  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(max = 253)
  @JsonPropertyDescription(
      "The VolumeSnapshotClass for every VolumeSnapshot. Omit to use, per PVC, the class "
          + "marked default for the PVC's CSI driver.")
  private String volumeSnapshotClassName;

  @Default("Delete")
  @JsonPropertyDescription(
      "What happens to the VolumeSnapshots when this object is deleted: Delete deletes them "
          + "with it, Retain keeps them.")
  private DeletionPolicy deletionPolicy;

  @Default("Auto")
  @JsonPropertyDescription(
      "Whether the disks are cut as one CSI VolumeGroupSnapshot (groupsnapshot.storage.k8s.io "
          + "v1, v1beta2 or v1beta1, whichever the cluster serves) inside the freeze window: Auto (a group when every "
          + "PVC belongs to one CSI driver with a VolumeGroupSnapshotClass, else one VolumeSnapshot per volume), "
          + "Never, or Required (fail when no group class fits).")
  private VolumeGroupMode volumeGroup;

  @Default(DEFAULT_FAILURE_DEADLINE)
  @Pattern(Patterns.GO_DURATION)
  @Size(max = Patterns.GO_DURATION_MAX_LENGTH)
  @ValidationRule(
      value =
          Patterns.IF_WELL_FORMED_DURATION
              + "(duration(self) >= duration('10s') && duration(self) <= duration('24h'))",
      message = "failureDeadline must be between 10s and 24h")
  @JsonPropertyDescription(
      "How long the snapshot may take, from creation until every VolumeSnapshot is ready, "
          + "before it is marked Failed; a duration such as 5m or 1h (10s to 24h).")
  private String failureDeadline;

  @JsonPropertyDescription(
      "Commands run in the guest through the guest agent's guest-exec: preFreeze before the "
          + "freeze, postThaw after the thaw; none while the guest is frozen. Needs the node "
          + "helper's qga or libvirt channel: refused (the snapshot fails) with kubevirt-api, "
          + "whose API has no guest-exec, and when the guest agent has guest-exec disabled.")
  private SnapshotHooks hooks;

  public QuiesceOptions getQuiesce() {
    return quiesce;
  }

  public void setQuiesce(QuiesceOptions quiesce) {
    this.quiesce = quiesce;
  }

  public List<String> getVolumes() {
    return volumes;
  }

  public void setVolumes(List<String> volumes) {
    this.volumes = volumes;
  }

  public String getVolumeSnapshotClassName() {
    return volumeSnapshotClassName;
  }

  public void setVolumeSnapshotClassName(String volumeSnapshotClassName) {
    this.volumeSnapshotClassName = volumeSnapshotClassName;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public VolumeGroupMode getVolumeGroup() {
    return volumeGroup;
  }

  public void setVolumeGroup(VolumeGroupMode volumeGroup) {
    this.volumeGroup = volumeGroup;
  }

  public SnapshotHooks getHooks() {
    return hooks;
  }

  public void setHooks(SnapshotHooks hooks) {
    this.hooks = hooks;
  }

  public String getFailureDeadline() {
    return failureDeadline;
  }

  public void setFailureDeadline(String failureDeadline) {
    this.failureDeadline = failureDeadline;
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && sameOptions((SnapshotOptions) o);
  }

  /** Field-by-field equality of the options, for subclasses' {@code equals}. */
  protected final boolean sameOptions(SnapshotOptions other) {
    return Objects.equals(quiesce, other.quiesce)
        && Objects.equals(volumes, other.volumes)
        && Objects.equals(volumeSnapshotClassName, other.volumeSnapshotClassName)
        && deletionPolicy == other.deletionPolicy
        && Objects.equals(failureDeadline, other.failureDeadline)
        && volumeGroup == other.volumeGroup
        && Objects.equals(hooks, other.hooks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        quiesce,
        volumes,
        volumeSnapshotClassName,
        deletionPolicy,
        failureDeadline,
        volumeGroup,
        hooks);
  }
}
