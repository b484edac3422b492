package io.quiesce.api.schema;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/**
 * Schema-only: the CRD schema of a Kubernetes label selector. Fields keep fabric8's {@code
 * LabelSelector} as the Java type and point the generator here with {@code @SchemaFrom}, because
 * fabric8's class carries no descriptions or constraints.
 */
@JsonClassDescription(
    "A label query over a set of resources. The requirements of matchLabels and "
        + "matchExpressions are ANDed; an empty selector matches everything.")
public final class LabelSelectorSchema {

  @Size(max = 64)
  @JsonPropertyDescription("Labels that must all be present with exactly these values.")
  public Map<String, String> matchLabels;

  @Size(max = 32)
  @JsonPropertyDescription("Set-based requirements that must all hold.")
  public List<LabelSelectorRequirementSchema> matchExpressions;

  private LabelSelectorSchema() {}
}
