package io.quiesce.runtime.logging;

/**
 * A log setting has a value this program cannot use; the message names the variable (or property).
 */
public final class InvalidLogSettingException extends IllegalArgumentException {
  private final String variable;

  InvalidLogSettingException(String variable, String problem) {
    super(variable + ": " + problem);
    this.variable = variable;
  }

  /** The environment variable (or {@code -D} property) at fault. */
  public String variable() {
    return variable;
  }
}
