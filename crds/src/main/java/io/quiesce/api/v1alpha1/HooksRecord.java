package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.status.BoundedText;
import java.util.ArrayList;
import java.util.List;

/**
 * What the hooks of {@code spec.hooks} did ({@code status.hooks}), written by the node helper with
 * {@code status.freeze}. Hook time is recorded here and never counts in the freeze window.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HooksRecord {

  @Size(max = 2 * SnapshotHooks.MAX_HOOKS)
  @JsonPropertyDescription("Every hook, in the order it ran (or was skipped).")
  private List<HookRun> runs = new ArrayList<>();

  @JsonPropertyDescription("Time spent in preFreeze hooks, in milliseconds.")
  private Long preFreezeMs;

  @JsonPropertyDescription("Time spent in postThaw hooks, in milliseconds.")
  private Long postThawMs;

  @JsonPropertyDescription(
      "Total time spent in hooks, in milliseconds: preFreezeMs + postThawMs. Not part of "
          + "status.freeze.durationMs.")
  private Long totalMs;

  @JsonPropertyDescription(
      "Set when the hooks stopped the snapshot: HooksRefused (they cannot run on this channel or "
          + "the guest agent has guest-exec disabled; nothing ran) or PreFreezeHookFailed (a "
          + "preFreeze hook with onError Fail failed; nothing was frozen).")
  @Pattern("^[A-Z][A-Za-z0-9]*$")
  @Size(max = 64)
  private String reason;

  @JsonPropertyDescription("Why, when reason is set.")
  @Size(max = 1024)
  private String message;

  public List<HookRun> getRuns() {
    return runs;
  }

  public void setRuns(List<HookRun> runs) {
    this.runs = runs;
  }

  public Long getPreFreezeMs() {
    return preFreezeMs;
  }

  public void setPreFreezeMs(Long preFreezeMs) {
    this.preFreezeMs = preFreezeMs;
  }

  public Long getPostThawMs() {
    return postThawMs;
  }

  public void setPostThawMs(Long postThawMs) {
    this.postThawMs = postThawMs;
  }

  public Long getTotalMs() {
    return totalMs;
  }

  public void setTotalMs(Long totalMs) {
    this.totalMs = totalMs;
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

  /** Stored stripped and cut to {@link BoundedText#MAX_ERROR}. */
  public void setMessage(String message) {
    this.message = BoundedText.error(message);
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
