package io.quiesce.api.schema;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Schema-only: one requirement of a label selector (see {@link LabelSelectorSchema}). */
@JsonClassDescription("A requirement on one label key.")
@ValidationRule(
    value =
        "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0)"
            + " : (!has(self.values) || size(self.values) == 0)",
    message = "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist")
public final class LabelSelectorRequirementSchema {

  /** The operators Kubernetes label selectors know. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }

  @Required
  @Size(min = 1, max = 317)
  @JsonPropertyDescription("The label key the requirement applies to.")
  public String key;

  @Required
  @JsonPropertyDescription(
      "How the key's value relates to values: In, NotIn, Exists or DoesNotExist.")
  public Operator operator;

  @Size(max = 64)
  @JsonPropertyDescription(
      "The values for In and NotIn; must be empty for Exists and DoesNotExist.")
  public List<String> values;

  private LabelSelectorRequirementSchema() {}
}
