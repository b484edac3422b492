package io.quiesce.helper;

import java.time.Duration;
import java.util.List;

/**
 * A parsed command line.
 *
 * @param mode what to do
 * @param agentCommand the agent command, for {@link Mode#AGENT}
 * @param targets where the agents are: exactly one for {@code agent}, one or more for {@code
 *     recover}
 * @param timeout how long to wait for the agent
 * @param json print one JSON object instead of human output
 * @param mountpoints for {@code agent freeze}: the mountpoints to freeze (empty: all)
 */
record CliArguments(
    Mode mode,
    AgentCommand agentCommand,
    List<AgentTarget> targets,
    Duration timeout,
    boolean json,
    List<String> mountpoints) {

  enum Mode {
    HELP,
    AGENT,
    RECOVER
  }

  static CliArguments help() {
    return new CliArguments(
        Mode.HELP, null, List.of(), CliParser.DEFAULT_TIMEOUT, false, List.of());
  }
}
