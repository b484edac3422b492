package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.ConditionSchema;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened. Every field has one writer: the operator, except {@link #getFreeze() freeze},
 * which whoever ran the freeze writes (see {@link FreezeRecord}), and {@link #getHelperHandBack()
 * helperHandBack}, {@link #getChannelAttempts() channelAttempts} and {@link #getHooks() hooks},
 * which only the node helper writes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          startTime: {format: date-time}
          completionTime: {format: date-time}
          conditions: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [type]}
          volumeSnapshots: {x-kubernetes-list-type: map, x-kubernetes-list-map-keys: [volume]}
        """)
public class QuiescedSnapshotStatus {

  /** Operator. */
  @JsonPropertyDescription(
      "Where the snapshot is: Pending (accepted, not started), InProgress (freezing, "
          + "cutting or waiting for the storage), Succeeded (every VolumeSnapshot is ready to use) or Failed.")
  private SnapshotPhase phase;

  /** Operator, from the freeze record and the cut times. */
  @JsonPropertyDescription(
      "What the snapshot can be trusted for: FilesystemConsistent (every disk was cut while "
          + "the guest's filesystems were frozen, or the VM was stopped) or CrashConsistent.")
  private Consistency consistency;

  /** Operator. */
  @JsonPropertyDescription(
      "Why the snapshot has this consistency, as a CamelCase word, e.g. Frozen, VMStopped, "
          + "QuiesceSkipped, AgentUnavailable.")
  @io.fabric8.generator.annotation.Size(max = 128)
  private String consistencyReason;

  /** Operator, when it hands the freeze to that node's helper. */
  @JsonPropertyDescription("The node the VM ran on, whose node helper runs the freeze.")
  @io.fabric8.generator.annotation.Size(max = 253)
  private String nodeName;

  /** Operator. */
  @JsonPropertyDescription("When the operator started working on the snapshot (RFC 3339).")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String startTime;

  /** Operator. */
  @JsonPropertyDescription("When the snapshot reached Succeeded or Failed (RFC 3339).")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String completionTime;

  /** The node helper that ran the freeze (the operator for the kubevirt-api method). */
  @JsonPropertyDescription(
      "The freeze window: how, when and for how long the guest was frozen, and what "
          + "thawed it. Absent when nothing was frozen.")
  private FreezeRecord freeze;

  /**
   * The node helper, and only it: that it handed the snapshot back without freezing. Kept apart
   * from {@link #getFreeze() freeze}, which the operator writes when it then freezes through
   * KubeVirt.
   */
  @JsonPropertyDescription(
      "Set by the node helper when it handed the snapshot back to the operator without "
          + "freezing (reason NoAgentChannel: channel auto could use no channel of the helper); the operator then "
          + "freezes through KubeVirt's API and records that freeze in status.freeze.")
  private HelperHandBack helperHandBack;

  /** The node helper, and only it: what it tried before any freeze command. */
  @JsonPropertyDescription(
      "The channels the node helper tried for this snapshot's freeze, in order, each with "
          + "why it was or was not used; no freeze command is sent on a channel before its probe passed. Under "
          + "channel auto the order is libvirt, then qga; when neither can be used the helper hands the snapshot "
          + "back (status.helperHandBack, reason NoAgentChannel) and the operator freezes through KubeVirt's API.")
  @Size(max = 4)
  private List<ChannelAttempt> channelAttempts;

  /** The node helper, and only it, with {@link #getFreeze() freeze}. */
  @JsonPropertyDescription(
      "What the hooks of spec.hooks did: each run with its exit code and bounded output, and "
          + "the time spent in hooks, which is not part of the freeze window. Absent without hooks.")
  private HooksRecord hooks;

  /** Operator. */
  @JsonPropertyDescription(
      "One entry per snapshotted volume: its PVC, its VolumeSnapshot and that "
          + "VolumeSnapshot's progress.")
  private List<VolumeSnapshotRecord> volumeSnapshots;

  /** Operator. */
  @JsonPropertyDescription(
      "The CSI VolumeGroupSnapshot that cut every volume at one instant (spec.volumeGroup); "
          + "absent when each volume got its own VolumeSnapshot. Its members are in volumeSnapshots.")
  private VolumeGroupSnapshotRecord volumeGroupSnapshot;

  /** Operator, for a consistency group (spec.sources). */
  @Size(max = SnapshotSources.MAX_VMS)
  @JsonPropertyDescription(
      "A consistency group's VMs, one entry each, with its own freeze window; absent for "
          + "one VM (spec.source), whose window is status.freeze.")
  private List<GroupMember> members;

  /** Operator, for a consistency group (spec.sources). */
  @JsonPropertyDescription(
      "A consistency group's common window: the time every frozen VM was frozen at once, "
          + "from the last freeze reply to the first unfreeze request.")
  private CommonWindow commonWindow;

  /** Operator. */
  @JsonPropertyDescription(
      "The VM's PVC-backed volumes (hot-plugged ones included) that this snapshot leaves "
          + "out, each with the reason. Absent when every such volume is in volumeSnapshots.")
  private List<ExcludedVolume> excludedVolumes;

  /** Operator. */
  @SchemaFrom(type = ConditionSchema[].class)
  @JsonInclude(
      JsonInclude.Include.NON_EMPTY) // the list starts empty; no "conditions: []" in writes
  @JsonPropertyDescription(
      "Ready, Reconciling and Stalled as kstatus (Flux) reads them: Reconciling=True while "
          + "Pending or InProgress, Ready=True once Succeeded, Stalled=True once Failed (a terminal failure); and "
          + "Progressing and Failed, following the Kubernetes API conventions.")
  private List<Condition> conditions = new ArrayList<>();

  /** Operator. */
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  /** Operator, once, with the write that starts the snapshot; never copied by later writes. */
  @JsonPropertyDescription(
      "The VM's definition (spec, labels, annotations) when the snapshot started, for a "
          + "QuiescedSnapshotRestore into a new VM; at most 64 KiB, else only why it was left out.")
  private VmDefinition vmDefinition;

  /** Operator. */
  @JsonPropertyDescription(
      "A human-readable summary of the latest state, e.g. why the snapshot failed.")
  @io.fabric8.generator.annotation.Size(max = 2048)
  private String message;

  public SnapshotPhase getPhase() {
    return phase;
  }

  public void setPhase(SnapshotPhase phase) {
    this.phase = phase;
  }

  public Consistency getConsistency() {
    return consistency;
  }

  public void setConsistency(Consistency consistency) {
    this.consistency = consistency;
  }

  public String getConsistencyReason() {
    return consistencyReason;
  }

  public void setConsistencyReason(String consistencyReason) {
    this.consistencyReason = consistencyReason;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public FreezeRecord getFreeze() {
    return freeze;
  }

  public void setFreeze(FreezeRecord freeze) {
    this.freeze = freeze;
  }

  public List<GroupMember> getMembers() {
    return members;
  }

  public void setMembers(List<GroupMember> members) {
    this.members = members;
  }

  public CommonWindow getCommonWindow() {
    return commonWindow;
  }

  public void setCommonWindow(CommonWindow commonWindow) {
    this.commonWindow = commonWindow;
  }

  public HelperHandBack getHelperHandBack() {
    return helperHandBack;
  }

  public void setHelperHandBack(HelperHandBack helperHandBack) {
    this.helperHandBack = helperHandBack;
  }

  public HooksRecord getHooks() {
    return hooks;
  }

  public void setHooks(HooksRecord hooks) {
    this.hooks = hooks;
  }

  public List<ChannelAttempt> getChannelAttempts() {
    return channelAttempts;
  }

  public void setChannelAttempts(List<ChannelAttempt> channelAttempts) {
    this.channelAttempts = channelAttempts;
  }

  public List<VolumeSnapshotRecord> getVolumeSnapshots() {
    return volumeSnapshots;
  }

  public void setVolumeSnapshots(List<VolumeSnapshotRecord> volumeSnapshots) {
    this.volumeSnapshots = volumeSnapshots;
  }

  public VolumeGroupSnapshotRecord getVolumeGroupSnapshot() {
    return volumeGroupSnapshot;
  }

  public void setVolumeGroupSnapshot(VolumeGroupSnapshotRecord volumeGroupSnapshot) {
    this.volumeGroupSnapshot = volumeGroupSnapshot;
  }

  public List<ExcludedVolume> getExcludedVolumes() {
    return excludedVolumes;
  }

  public void setExcludedVolumes(List<ExcludedVolume> excludedVolumes) {
    this.excludedVolumes = excludedVolumes;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public VmDefinition getVmDefinition() {
    return vmDefinition;
  }

  public void setVmDefinition(VmDefinition vmDefinition) {
    this.vmDefinition = vmDefinition;
  }

  public String getMessage() {
    return message;
  }

  /**
   * Stored stripped and cut to {@link BoundedText#MAX_MESSAGE}: it quotes guest and storage errors.
   */
  public void setMessage(String message) {
    this.message = BoundedText.message(message);
  }

  /** Every field compared ({@link ApiValues}): a new field needs no line here. */
  @Override
  public boolean equals(Object o) {
    return ApiValues.fieldsEqual(this, o);
  }

  @Override
  public int hashCode() {
    return ApiValues.fieldsHash(this);
  }
}
