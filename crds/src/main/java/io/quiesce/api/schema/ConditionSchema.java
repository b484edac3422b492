package io.quiesce.api.schema;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Schema-only: the CRD schema of one status condition, the shape of Kubernetes' {@code
 * metav1.Condition}. Status classes keep fabric8's {@code Condition} as the Java type and point the
 * generator here with {@code @SchemaFrom(type = ConditionSchema[].class)}, because fabric8's class
 * carries no descriptions, required fields or formats.
 *
 * <p>Unlike {@code metav1.Condition}, {@code message} is optional: the API server would otherwise
 * reject a whole status write whose writer left a message out.
 */
@JsonClassDescription("A condition of this resource, following the Kubernetes API conventions.")
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {lastTransitionTime: {format: date-time}}")
public final class ConditionSchema {

  /** The status values a condition may have. */
  public enum Status {
    True,
    False,
    Unknown
  }

  @Required
  @Pattern(Patterns.CONDITION_TYPE)
  @Size(max = 316)
  @JsonPropertyDescription("Type of condition in CamelCase, e.g. Ready, Progressing, Failed.")
  public String type;

  @Required
  @JsonPropertyDescription("Status of the condition: True, False or Unknown.")
  public Status status;

  @Min(0)
  @JsonPropertyDescription(
      "The metadata.generation this condition was set for; older than metadata.generation "
          + "means the condition is out of date.")
  public Long observedGeneration;

  @Required
  @Size(max = 64)
  @JsonPropertyDescription("When the condition last changed from one status to another (RFC 3339).")
  public String lastTransitionTime;

  @Required
  @Pattern(Patterns.CONDITION_REASON)
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription("Why the condition is in its status: a CamelCase word for programs.")
  public String reason;

  @Size(max = 32768)
  @JsonPropertyDescription("Details of the last transition, for humans.")
  public String message;

  private ConditionSchema() {}
}
