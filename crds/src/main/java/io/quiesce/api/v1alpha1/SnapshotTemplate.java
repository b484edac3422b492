package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Objects;

/**
 * What each QuiescedSnapshot a schedule creates looks like; its source is the selected VM (or, with
 * {@code grouping: ConsistencyGroup}, its sources are the VMs the fire selected).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotTemplate {

  @JsonPropertyDescription("Labels and annotations for each created QuiescedSnapshot.")
  private TemplateMetadata metadata;

  @Default("{}")
  @JsonPropertyDescription(
      "The spec of each created QuiescedSnapshot, without source (the selected VM) or sources "
          + "(the VMs a ConsistencyGroup fire selected).")
  private SnapshotOptions spec;

  public TemplateMetadata getMetadata() {
    return metadata;
  }

  public void setMetadata(TemplateMetadata metadata) {
    this.metadata = metadata;
  }

  public SnapshotOptions getSpec() {
    return spec;
  }

  public void setSpec(SnapshotOptions spec) {
    this.spec = spec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotTemplate other
        && Objects.equals(metadata, other.metadata)
        && Objects.equals(spec, other.spec);
  }

  @Override
  public int hashCode() {
    return Objects.hash(metadata, spec);
  }
}
