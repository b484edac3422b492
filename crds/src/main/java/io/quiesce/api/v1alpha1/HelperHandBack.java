package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;

/**
 * The node helper handed a snapshot back to the operator without freezing ({@code
 * status.helperHandBack}): under channel auto it found no channel of its own ({@code
 * NoAgentChannel}), and the operator freezes through KubeVirt instead. Written by the node helper
 * only, once; kept apart from {@code status.freeze}, which only whoever ran the freeze writes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HelperHandBack {

  @Required
  @JsonPropertyDescription(
      "Why the node helper did not freeze, in one CamelCase word: NoAgentChannel (channel auto "
          + "could use no channel of the node helper; status.channelAttempts says why each was not usable).")
  @io.fabric8.generator.annotation.Pattern("^[A-Z][A-Za-z0-9]*$")
  @Size(max = 128)
  private String reason;

  @JsonPropertyDescription("What the node helper found, for people.")
  @Size(max = ChannelAttempt.MAX_MESSAGE)
  private String message;

  public HelperHandBack() {}

  public HelperHandBack(String reason, String message) {
    this.reason = reason;
    this.message = message;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
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
