package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import java.util.Map;

/**
 * The source VM's definition as it was when the snapshot started: what a restore into a new VM
 * builds the VM from. Kept in the snapshot's status so it lives and dies with the snapshot, and
 * bounded ({@link #MAX_BYTES}): above the bound only {@link #getOmittedReason() omittedReason} is
 * kept. Written once, by the operator, with the write that starts the snapshot.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        """
        properties:
          spec: {type: object}
          labels: {additionalProperties: {maxLength: 63}}
          annotations: {additionalProperties: {maxLength: 65536}}
        """)
public class VmDefinition {
  /**
   * The largest definition kept, in bytes of compact JSON of {spec, labels, annotations}. Measured:
   * KubeVirt's example VMs are 0.5-0.7 KiB; a VM with a few KiB of cloud-init stays far below.
   */
  public static final int MAX_BYTES = 64 * 1024;

  @PreserveUnknownFields
  @JsonPropertyDescription("The VirtualMachine's spec (kubevirt.io/v1), unchanged.")
  private JsonNode spec;

  @JsonPropertyDescription("The VirtualMachine's labels.")
  private Map<String, String> labels;

  @JsonPropertyDescription(
      "The VirtualMachine's annotations, without the ones that describe a running object "
          + "(kubectl's last-applied-configuration, KubeVirt's observed API versions).")
  private Map<String, String> annotations;

  @JsonPropertyDescription("The size of spec, labels and annotations as compact JSON, in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription(
      "Why the definition was not kept (it is larger than the bound); absent when it was. "
          + "A restore into a new VM needs the definition; an in-place restore does not.")
  @Size(max = 1024)
  private String omittedReason;

  public JsonNode getSpec() {
    return spec;
  }

  public void setSpec(JsonNode spec) {
    this.spec = spec;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getOmittedReason() {
    return omittedReason;
  }

  public void setOmittedReason(String omittedReason) {
    this.omittedReason = omittedReason;
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
