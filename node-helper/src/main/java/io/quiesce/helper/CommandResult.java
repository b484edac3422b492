package io.quiesce.helper;

import java.util.Map;

/**
 * What a command printed and how it ended.
 *
 * @param human human output (may span lines)
 * @param json the same as one JSON object
 * @param exitCode {@link ExitCode#OK} or why not
 * @param failure the one-line reason for stderr when not OK, else null
 */
record CommandResult(String human, Map<String, Object> json, ExitCode exitCode, String failure) {

  static CommandResult ok(String human, Map<String, Object> json) {
    return new CommandResult(human, json, ExitCode.OK, null);
  }
}
