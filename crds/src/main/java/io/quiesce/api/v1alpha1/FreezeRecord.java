package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;

/**
 * The freeze window of one snapshot ({@code status.freeze}). Written only by whoever ran the
 * freeze: the node helper on the VM's node, or the operator for {@link FreezeMethod#KUBEVIRT_API}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {startTime: {format: date-time}, endTime: {format: date-time}}")
public class FreezeRecord {

  @JsonPropertyDescription(
      "The channel used to freeze the guest: qga (the guest agent socket), libvirt, or "
          + "kubevirt-api (KubeVirt's freeze subresource).")
  private FreezeMethod method;

  @JsonPropertyDescription(
      "Start of the freeze window: when the guest agent replied to the freeze, i.e. every "
          + "filesystem was frozen (RFC 3339, on the freezer's clock). The same on every channel: the node helper "
          + "notes its agent's or libvirt's reply, the operator the reply of KubeVirt's synchronous freeze "
          + "subresource. Cuts between this and endTime are filesystem-consistent.")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String startTime;

  @JsonPropertyDescription(
      "End of the freeze window: when the thaw was confirmed (RFC 3339, on the freezer's "
          + "clock).")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String endTime;

  @JsonPropertyDescription(
      "The freeze window in milliseconds: endTime - startTime, from the freeze reply to "
          + "the confirmed thaw. The time the freeze command itself took (the guest syncing its filesystems) "
          + "is not in it; the watchdog's quiesce.timeout counts from the freeze command, the stricter bound.")
  private Long durationMs;

  @JsonPropertyDescription(
      "How many filesystems the guest agent reported frozen; 0 means nothing was frozen.")
  private Integer filesystemsFrozen;

  @JsonPropertyDescription(
      "What ended the freeze: Cut (every disk was cut, the normal end), Error (a "
          + "VolumeSnapshot failed), Watchdog (quiesce.timeout passed before every cut), Deadline (the "
          + "platform's own unfreeze timeout), Recovery (a restarted node helper found the guest frozen), Deletion (the QuiescedSnapshot was deleted "
          + "while frozen), Shutdown (the node helper was stopping) or Emergency (an emergency thaw, "
          + "kubectl quiesce thaw, was requested while frozen).")
  private ThawTrigger thawedBy;

  @JsonPropertyDescription(
      "Why the guest could not be frozen or thawed cleanly, when it could not.")
  @io.fabric8.generator.annotation.Size(max = 1024)
  private String error;

  @JsonPropertyDescription(
      "The outcome in one CamelCase word: Frozen (every disk was cut while frozen), "
          + "FreezeFailed, AgentSocketNotFound, LibvirtSocketNotFound, LibvirtPermissionDenied (the node helper may "
          + "not connect to the libvirt daemon's socket: see the chart's nodeHelper.securityContext), NoAgentChannel "
          + "(channel auto could use no channel of the node helper, see status.channelAttempts; the operator then "
          + "freezes through KubeVirt), AgentNotResponding, QuiesceTimeout, VolumeSnapshotFailed, ...")
  @io.fabric8.generator.annotation.Pattern("^[A-Z][A-Za-z0-9]*$")
  @io.fabric8.generator.annotation.Size(max = 128)
  private String reason;

  @JsonPropertyDescription(
      "Set by the kubevirt-api channel: how KubeVirt confirmed the freeze. KubeVirtStatus: "
          + "the VirtualMachineInstance's status.fsFreezeStatus read frozen during the window. KubeVirtFreezeReply: "
          + "KubeVirt's synchronous freeze succeeded on a guest it reported not frozen just before (its status "
          + "poll, every 5 s, had not caught up when every disk was cut; the window is never held open for it).")
  @io.fabric8.generator.annotation.Pattern("^[A-Z][A-Za-z0-9]*$")
  @io.fabric8.generator.annotation.Size(max = 64)
  private String confirmedBy;

  public String getConfirmedBy() {
    return confirmedBy;
  }

  public void setConfirmedBy(String confirmedBy) {
    this.confirmedBy = confirmedBy;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public FreezeMethod getMethod() {
    return method;
  }

  public void setMethod(FreezeMethod method) {
    this.method = method;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getEndTime() {
    return endTime;
  }

  public void setEndTime(String endTime) {
    this.endTime = endTime;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }

  public Integer getFilesystemsFrozen() {
    return filesystemsFrozen;
  }

  public void setFilesystemsFrozen(Integer filesystemsFrozen) {
    this.filesystemsFrozen = filesystemsFrozen;
  }

  public ThawTrigger getThawedBy() {
    return thawedBy;
  }

  public void setThawedBy(ThawTrigger thawedBy) {
    this.thawedBy = thawedBy;
  }

  public String getError() {
    return error;
  }

  /**
   * Stored stripped and cut to {@link BoundedText#MAX_ERROR}: the text often comes from the guest.
   */
  public void setError(String error) {
    this.error = BoundedText.error(error);
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
