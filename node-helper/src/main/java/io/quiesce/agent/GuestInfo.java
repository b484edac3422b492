package io.quiesce.agent;

import java.util.Map;

/**
 * The agent's {@code guest-info}.
 *
 * @param version agent version, e.g. {@code 7.2.19}
 * @param commands command name to whether it is enabled
 */
public record GuestInfo(String version, Map<String, Boolean> commands) {

  /** True when the command exists and is enabled. */
  public boolean supports(String command) {
    return Boolean.TRUE.equals(commands.get(command));
  }
}
