package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;
import java.util.Objects;

/**
 * Labels and annotations a schedule puts on each QuiescedSnapshot it creates. Keys under {@code
 * quiesce.io/} are refused: the operator writes those (provenance such as {@code
 * quiesce.io/schedule}), and retention trusts them to find what the schedule created.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TemplateMetadata {

  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, !k.startsWith('quiesce.io/'))",
      message = "label keys under quiesce.io/ are reserved for the operator")
  @JsonPropertyDescription(
      "Labels for each created QuiescedSnapshot (keys under quiesce.io/ are reserved).")
  private Map<String, String> labels;

  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, !k.startsWith('quiesce.io/'))",
      message = "annotation keys under quiesce.io/ are reserved for the operator")
  @JsonPropertyDescription(
      "Annotations for each created QuiescedSnapshot (keys under quiesce.io/ are reserved).")
  private Map<String, String> annotations;

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

  @Override
  public boolean equals(Object o) {
    return o instanceof TemplateMetadata other
        && Objects.equals(labels, other.labels)
        && Objects.equals(annotations, other.annotations);
  }

  @Override
  public int hashCode() {
    return Objects.hash(labels, annotations);
  }
}
