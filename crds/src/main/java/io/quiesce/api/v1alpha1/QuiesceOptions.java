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

/** How to freeze the guest's filesystems around the cut ({@code spec.quiesce}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.mode) && self.mode == 'Skip' && has(self.mountpoints))",
    message = "mountpoints cannot be set when mode is Skip: nothing is frozen",
    fieldPath = ".mountpoints")
@ValidationRule(
    value = "!(has(self.mode) && self.mode == 'Skip' && has(self.channel))",
    message = "channel cannot be set when mode is Skip: nothing is frozen",
    fieldPath = ".channel")
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        "properties: {mountpoints: {x-kubernetes-list-type: set,"
            + " items: {maxLength: 4096, pattern: '"
            + Patterns.GUEST_MOUNTPOINT
            + "'}}}")
public class QuiesceOptions {
  /**
   * The schema's default. Code reading an object no API server defaulted (the mock API server in
   * tests does not) falls back to it.
   */
  public static final String DEFAULT_TIMEOUT = "5s";

  @Default("Required")
  @JsonPropertyDescription(
      "Required: freeze the guest or fail the snapshot with a clear reason. BestEffort: "
          + "freeze if the guest can be frozen, else take a crash-consistent snapshot and say why. Skip: do not "
          + "freeze (crash-consistent, or consistent by construction if the VM is stopped).")
  private QuiesceMode mode;

  @Default(DEFAULT_TIMEOUT)
  @Pattern(Patterns.GO_DURATION)
  @Size(max = Patterns.GO_DURATION_MAX_LENGTH)
  @ValidationRule(
      value =
          Patterns.IF_WELL_FORMED_DURATION
              + "(duration(self) >= duration('100ms') && duration(self) <= duration('30s'))",
      message = "timeout must be between 100ms and 30s")
  @JsonPropertyDescription(
      "The longest the guest may stay frozen, as a duration such as 5s or 1500ms "
          + "(100ms to 30s). If the disks are not all cut by then, the guest is thawed anyway and the snapshot "
          + "is not filesystem-consistent.")
  private String timeout;

  @Size(min = 1, max = 64)
  @JsonPropertyDescription(
      "Freeze only the filesystems mounted at these absolute guest paths "
          + "(guest-fsfreeze-freeze-list). Omit to freeze every filesystem the guest agent can freeze.")
  private List<String> mountpoints;

  // no schema default: an absent channel lets the VM annotation and the cluster default decide
  @JsonPropertyDescription(
      "How the guest is reached for the freeze. auto: the node helper uses the VM's libvirt "
          + "daemon when it finds its socket, else an agent socket no one holds, and with neither the operator "
          + "freezes through KubeVirt's API. qga or libvirt: only that channel of the node helper; the snapshot "
          + "fails (Required) or is crash-consistent (BestEffort) with the reason when it cannot be used. "
          + "kubevirt-api: KubeVirt's freeze subresource. Omit to use the VM's quiesce.io/channel annotation, "
          + "else the cluster default (chart value channel), else auto.")
  private QuiesceChannel channel;

  public QuiesceMode getMode() {
    return mode;
  }

  public void setMode(QuiesceMode mode) {
    this.mode = mode;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public List<String> getMountpoints() {
    return mountpoints;
  }

  public void setMountpoints(List<String> mountpoints) {
    this.mountpoints = mountpoints;
  }

  public QuiesceChannel getChannel() {
    return channel;
  }

  public void setChannel(QuiesceChannel channel) {
    this.channel = channel;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuiesceOptions other
        && mode == other.mode
        && Objects.equals(timeout, other.timeout)
        && Objects.equals(mountpoints, other.mountpoints)
        && channel == other.channel;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, timeout, mountpoints, channel);
  }
}
