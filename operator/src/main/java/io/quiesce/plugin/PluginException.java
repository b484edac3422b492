package io.quiesce.plugin;

/**
 * A failure of a plugin command, with the exit code of the agent CLI's rules and a one-line
 * message.
 */
final class PluginException extends Exception {
  static final int INTERNAL = 1;
  static final int USAGE = 2;
  static final int TIMEOUT = 3;
  static final int FAILED = 4;

  private final int exitCode;

  PluginException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
