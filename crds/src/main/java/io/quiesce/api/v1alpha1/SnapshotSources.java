package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.quiesce.api.schema.LabelSelectorSchema;
import io.quiesce.api.schema.Patterns;
import io.quiesce.api.schema.SchemaPatch;
import java.util.List;
import java.util.Objects;

/**
 * The VMs of a consistency group ({@code spec.sources}): several VMs of the snapshot's namespace,
 * frozen together and cut inside the window in which all of them are frozen. Either a list of names
 * or a label selector, never both.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.vms) != has(self.vmSelector)",
    message = "set exactly one of sources.vms and sources.vmSelector")
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        "properties: {vms: {x-kubernetes-list-type: set,"
            + " items: {maxLength: 253, pattern: '"
            + Patterns.DNS_SUBDOMAIN
            + "'}}}")
public class SnapshotSources {
  /** The most VMs one group freezes together: each takes a freeze slot of the cluster cap. */
  public static final int MAX_VMS = 16;

  @Size(min = 2, max = MAX_VMS)
  @JsonPropertyDescription(
      "Names of the VirtualMachines (kubevirt.io/v1) in this namespace to freeze together, "
          + "2 to 16. For one VM use spec.source.")
  private List<String> vms;

  @SchemaFrom(type = LabelSelectorSchema.class)
  @JsonPropertyDescription(
      "Selects the VirtualMachines in this namespace to freeze together (a group of at most "
          + "16 VMs).")
  private LabelSelector vmSelector;

  public List<String> getVms() {
    return vms;
  }

  public void setVms(List<String> vms) {
    this.vms = vms;
  }

  public LabelSelector getVmSelector() {
    return vmSelector;
  }

  public void setVmSelector(LabelSelector vmSelector) {
    this.vmSelector = vmSelector;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotSources other
        && Objects.equals(vms, other.vms)
        && Objects.equals(vmSelector, other.vmSelector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(vms, vmSelector);
  }
}
