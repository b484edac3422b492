package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.quiesce.api.ApiValues;
import io.quiesce.api.schema.Patterns;
import io.quiesce.api.schema.SchemaPatch;
import java.util.List;

/**
 * One command run in the guest through the guest agent's {@code guest-exec}: a program and its
 * arguments, executed directly (no shell unless {@code command} names one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input = "properties: {args: {items: {maxLength: 4096}}}")
public class GuestHook {
  /** The schema's default, also used for an object no API server defaulted. */
  public static final String DEFAULT_TIMEOUT = "30s";

  /** The longest a hook may be given (the schema's bound). */
  public static final String MAX_TIMEOUT = "10m";

  @Required
  @Size(min = 2, max = 4096)
  @Pattern("^/.*$")
  @JsonPropertyDescription(
      "Absolute path of the program to run in the guest, e.g. /usr/local/bin/db-flush. It is "
          + "executed directly with args, without a shell; name a shell (/bin/sh with args -c and a "
          + "script) to use one.")
  private String command;

  @Size(max = 32)
  @JsonPropertyDescription("Arguments passed to command, each at most 4096 characters.")
  private List<String> args;

  @Default(DEFAULT_TIMEOUT)
  @Pattern(Patterns.GO_DURATION)
  @Size(max = Patterns.GO_DURATION_MAX_LENGTH)
  @ValidationRule(
      value =
          Patterns.IF_WELL_FORMED_DURATION
              + "(duration(self) >= duration('1s') && duration(self) <= duration('"
              + MAX_TIMEOUT
              + "'))",
      message = "timeout must be between 1s and " + MAX_TIMEOUT)
  @JsonPropertyDescription(
      "How long the hook may run, as a duration such as 30s (1s to 10m, default 30s). At the "
          + "timeout the hook is abandoned and counts as failed: the guest agent cannot kill it, so "
          + "the process may still be running in the guest.")
  private String timeout;

  @Default("Fail")
  @JsonPropertyDescription(
      "Fail (default): a failing preFreeze hook stops the snapshot before any freeze (postThaw "
          + "hooks still run) and the snapshot fails. Continue: the failure is recorded and the "
          + "snapshot goes on.")
  private HookErrorPolicy onError;

  public String getCommand() {
    return command;
  }

  public void setCommand(String command) {
    this.command = command;
  }

  public List<String> getArgs() {
    return args;
  }

  public void setArgs(List<String> args) {
    this.args = args;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public HookErrorPolicy getOnError() {
    return onError;
  }

  public void setOnError(HookErrorPolicy onError) {
    this.onError = onError;
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
