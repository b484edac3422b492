package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.quiesce.api.schema.Patterns;
import java.util.Objects;

/**
 * What to snapshot and how. Immutable once created: a QuiescedSnapshot records one thing that
 * happened, so a different request is a new object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self == oldSelf",
    message = "spec is immutable: create a new QuiescedSnapshot to snapshot again or differently")
@ValidationRule(
    value = "has(self.source) != has(self.sources)",
    message = "set exactly one of source (one VM) and sources (a consistency group of several VMs)")
@ValidationRule(
    value = "!has(self.sources) || !has(self.volumes)",
    message = "volumes names the volumes of one VM: it cannot be set with sources",
    fieldPath = ".volumes")
@ValidationRule(
    value = "!has(self.sources) || !has(self.hooks)",
    message =
        "hooks run through one VM's node helper; a consistency group is frozen through KubeVirt's"
            + " API, which has no guest-exec",
    fieldPath = ".hooks")
public class QuiescedSnapshotSpec extends SnapshotOptions {

  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(min = 1, max = 253)
  @JsonPropertyDescription(
      "Name of the VirtualMachine (kubevirt.io/v1) in this namespace to snapshot. Exactly one "
          + "of source and sources is set.")
  private String source;

  @JsonPropertyDescription(
      "A consistency group: several VirtualMachines of this namespace (a list of names or a "
          + "label selector, at most 16 VMs) frozen together through KubeVirt's API and cut inside the window "
          + "in which all of them are frozen; status.members and status.commonWindow record it. "
          + "Exclusive with source.")
  private SnapshotSources sources;

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public SnapshotSources getSources() {
    return sources;
  }

  public void setSources(SnapshotSources sources) {
    this.sources = sources;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuiescedSnapshotSpec other
        && Objects.equals(source, other.source)
        && Objects.equals(sources, other.sources)
        && sameOptions(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, sources, super.hashCode());
  }
}
