package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.SchemaPatch;
import io.quiesce.status.BoundedText;

/**
 * One hook as it ran in the guest ({@code status.hooks.runs[]}). Output and messages come from the
 * guest: they are stored stripped of control characters and cut to a bound.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {startTime: {format: date-time}, endTime: {format: date-time}}")
public class HookRun {
  /** The most code points kept of a hook's stdout, and of its stderr. */
  public static final int MAX_OUTPUT = 1024;

  /** The most code points kept of the command. */
  public static final int MAX_COMMAND = 512;

  @JsonPropertyDescription("PreFreeze or PostThaw: the list the hook is in.")
  private HookPhase phase;

  @JsonPropertyDescription("Position of the hook in its list, from 0.")
  private Integer index;

  @JsonPropertyDescription("The hook's command (cut to 512 characters).")
  @Size(max = 512)
  private String command;

  @JsonPropertyDescription("The exit code, when the process exited.")
  private Integer exitCode;

  @JsonPropertyDescription(
      "The start of the hook's standard output, control characters removed (line breaks become "
          + "spaces), at most 1024 characters.")
  @Size(max = 1024)
  private String stdout;

  @JsonPropertyDescription("The start of the hook's standard error, bounded like stdout.")
  @Size(max = 1024)
  private String stderr;

  @JsonPropertyDescription("When the hook was started (RFC 3339, on the node helper's clock).")
  @Size(max = 64)
  private String startTime;

  @JsonPropertyDescription("When it exited or was abandoned (RFC 3339).")
  @Size(max = 64)
  private String endTime;

  @JsonPropertyDescription("endTime - startTime in milliseconds.")
  private Long durationMs;

  @JsonPropertyDescription(
      "HookSucceeded (exit code 0), HookFailed (another exit code or a signal), HookTimedOut "
          + "(abandoned at its timeout; the process may still run in the guest), HookAgentError "
          + "(the agent could not start or follow it) or HookNotRun (an earlier preFreeze hook "
          + "failed with onError Fail).")
  @Pattern("^[A-Z][A-Za-z0-9]*$")
  @Size(max = 64)
  private String reason;

  @JsonPropertyDescription("What went wrong, when something did.")
  @Size(max = 1024)
  private String message;

  public HookPhase getPhase() {
    return phase;
  }

  public void setPhase(HookPhase phase) {
    this.phase = phase;
  }

  public Integer getIndex() {
    return index;
  }

  public void setIndex(Integer index) {
    this.index = index;
  }

  public String getCommand() {
    return command;
  }

  /** Stored cut to {@link #MAX_COMMAND}. */
  public void setCommand(String command) {
    this.command = BoundedText.bound(command, MAX_COMMAND);
  }

  public Integer getExitCode() {
    return exitCode;
  }

  public void setExitCode(Integer exitCode) {
    this.exitCode = exitCode;
  }

  public String getStdout() {
    return stdout;
  }

  /** Stored stripped and cut to {@link #MAX_OUTPUT}: the guest controls it. */
  public void setStdout(String stdout) {
    this.stdout = BoundedText.bound(stdout, MAX_OUTPUT);
  }

  public String getStderr() {
    return stderr;
  }

  /** Stored stripped and cut to {@link #MAX_OUTPUT}: the guest controls it. */
  public void setStderr(String stderr) {
    this.stderr = BoundedText.bound(stderr, MAX_OUTPUT);
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getEndTime() {
    return endTime;
  }

  public void setEndTime(String endTime) {
    this.endTime = endTime;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
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
