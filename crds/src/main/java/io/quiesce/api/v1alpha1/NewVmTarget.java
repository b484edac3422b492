package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.schema.Patterns;
import java.util.Objects;

/** A new VirtualMachine restored from a snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NewVmTarget {
  public static final RunStrategy DEFAULT_RUN_STRATEGY = RunStrategy.Halted;

  @Required
  @Pattern(Patterns.DNS_LABEL)
  @Size(min = 1, max = 63)
  @JsonPropertyDescription(
      "Name of the new VirtualMachine. It must not exist yet. For a snapshot of several VMs "
          + "(spec.sources) it is the prefix of the new VMs' names: member VM m is restored into "
          + "<name>--<m> (a hashed form when that does not fit 63 characters).")
  private String name;

  @Pattern(Patterns.DNS_LABEL)
  @Size(min = 1, max = 63)
  @JsonPropertyDescription(
      "Namespace of the new VirtualMachine. Only the restore's own namespace is supported: "
          + "any other is refused (phase Failed, reason CrossNamespaceTarget), so that whoever may create a restore "
          + "in one namespace cannot place disks and VMs into another through the operator's rights.")
  private String namespace;

  @JsonPropertyDescription(
      "Keep the MAC addresses of the snapshot's VM. Off by default: every interface with a "
          + "macAddress gets a new one, so the new VM can run beside the original.")
  private Boolean keepMacAddresses;

  @JsonPropertyDescription(
      "Keep the firmware UUID (spec.template.spec.domain.firmware.uuid) of the snapshot's VM. "
          + "Off by default: the new VM gets a new one.")
  private Boolean keepFirmwareUUID;

  @Default("Halted")
  @JsonPropertyDescription(
      "The new VM's spec.runStrategy (KubeVirt): Halted (default: created stopped), Always, "
          + "Manual, RerunOnFailure or Once.")
  private RunStrategy runStrategy;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public Boolean getKeepMacAddresses() {
    return keepMacAddresses;
  }

  public void setKeepMacAddresses(Boolean keepMacAddresses) {
    this.keepMacAddresses = keepMacAddresses;
  }

  public Boolean getKeepFirmwareUUID() {
    return keepFirmwareUUID;
  }

  public void setKeepFirmwareUUID(Boolean keepFirmwareUUID) {
    this.keepFirmwareUUID = keepFirmwareUUID;
  }

  public RunStrategy getRunStrategy() {
    return runStrategy;
  }

  public void setRunStrategy(RunStrategy runStrategy) {
    this.runStrategy = runStrategy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NewVmTarget other
        && Objects.equals(name, other.name)
        && Objects.equals(namespace, other.namespace)
        && Objects.equals(keepMacAddresses, other.keepMacAddresses)
        && Objects.equals(keepFirmwareUUID, other.keepFirmwareUUID)
        && runStrategy == other.runStrategy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, namespace, keepMacAddresses, keepFirmwareUUID, runStrategy);
  }
}
