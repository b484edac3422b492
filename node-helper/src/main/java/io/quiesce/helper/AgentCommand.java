package io.quiesce.helper;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The agent commands the command line offers. */
enum AgentCommand {
  PING,
  INFO,
  STATUS,
  FREEZE,
  THAW,
  FSINFO;

  String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static AgentCommand fromCli(String name) {
    return Arrays.stream(values())
        .filter(c -> c.cliName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new UsageException("unknown agent command '" + name + "': use one of " + names()));
  }

  static String names() {
    return Arrays.stream(values()).map(AgentCommand::cliName).collect(Collectors.joining("|"));
  }
}
