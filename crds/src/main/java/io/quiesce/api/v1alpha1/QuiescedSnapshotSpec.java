package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
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
public class QuiescedSnapshotSpec extends SnapshotOptions {

  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(min = 1, max = 253)
  @JsonPropertyDescription(
      "Name of the VirtualMachine (kubevirt.io/v1) in this namespace to snapshot.")
  private String source;

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuiescedSnapshotSpec other
        && Objects.equals(source, other.source)
        && sameOptions(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, super.hashCode());
  }
}
