package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import java.util.List;

/**
 * Commands run in the guest around the freeze ({@code spec.hooks}), through the guest agent's
 * {@code guest-exec}. None runs while the guest is frozen.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotHooks {
  /** The most hooks of each list (the schema's bound). */
  public static final int MAX_HOOKS = 8;

  @Size(max = MAX_HOOKS)
  @JsonPropertyDescription(
      "Run in order before the freeze, outside the freeze window (e.g. flush or checkpoint a "
          + "database); their total time is bounded by failureDeadline. At most 8.")
  private List<GuestHook> preFreeze;

  @Size(max = MAX_HOOKS)
  @JsonPropertyDescription(
      "Run in order after the thaw, and always when any preFreeze hook ran, even if a hook, the "
          + "freeze or the cut failed. At most 8.")
  private List<GuestHook> postThaw;

  public List<GuestHook> getPreFreeze() {
    return preFreeze;
  }

  public void setPreFreeze(List<GuestHook> preFreeze) {
    this.preFreeze = preFreeze;
  }

  public List<GuestHook> getPostThaw() {
    return postThaw;
  }

  public void setPostThaw(List<GuestHook> postThaw) {
    this.postThaw = postThaw;
  }

  /** Every field compared ({@link ApiValues}). */
  @Override
  public boolean equals(Object o) {
    return ApiValues.fieldsEqual(this, o);
  }

  @Override
  public int hashCode() {
    return ApiValues.fieldsHash(this);
  }
}
