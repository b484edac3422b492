package io.quiesce.helper;

import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one agent command on an open connection and words the answer for people and for scripts. */
final class AgentCommandRunner {
  private AgentCommandRunner() {}

  static CommandResult run(AgentCommand command, GuestAgent agent, List<String> mountpoints) {
    long started = System.nanoTime();
    return switch (command) {
      case PING -> {
        agent.ping();
        long ms = since(started);
        yield CommandResult.ok("agent answered ping in " + ms + " ms", json(command, ms));
      }
      case INFO -> info(agent.info(), since(started));
      case STATUS -> {
        String status = agent.freezeStatus().name().toLowerCase(Locale.ROOT);
        long ms = since(started);
        Map<String, Object> json = json(command, ms);
        json.put("status", status);
        yield CommandResult.ok(status, json);
      }
      case FREEZE -> {
        int count = agent.freeze(mountpoints);
        long ms = since(started);
        Map<String, Object> json = json(command, ms);
        json.put("filesystems", count);
        json.put("mountpoints", mountpoints);
        String human =
            "frozen "
                + count
                + " filesystem(s) in "
                + ms
                + " ms"
                + (count == 0 ? " (nothing was frozen)" : "; thaw with 'agent thaw'");
        yield CommandResult.ok(human, json);
      }
      case THAW -> {
        int count = agent.thaw();
        long ms = since(started);
        Map<String, Object> json = json(command, ms);
        json.put("filesystems", count);
        yield CommandResult.ok("thawed " + count + " filesystem(s) in " + ms + " ms", json);
      }
      case FSINFO -> fsinfo(agent.filesystems(), since(started));
    };
  }

  private static CommandResult info(GuestInfo info, long ms) {
    StringBuilder human = new StringBuilder();
    long enabled = info.commands().values().stream().filter(Boolean.TRUE::equals).count();
    human
        .append("qemu-guest-agent ")
        .append(info.version())
        .append(": ")
        .append(enabled)
        .append(" of ")
        .append(info.commands().size())
        .append(" commands enabled");
    info.commands().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            entry ->
                human
                    .append("\n  ")
                    .append(entry.getKey())
                    .append(Boolean.TRUE.equals(entry.getValue()) ? "" : " (disabled)"));
    Map<String, Object> json = json(AgentCommand.INFO, ms);
    json.put("version", info.version());
    json.put("commands", info.commands());
    return CommandResult.ok(human.toString(), json);
  }

  private static CommandResult fsinfo(List<GuestFilesystem> filesystems, long ms) {
    StringBuilder human =
        new StringBuilder(
            String.format("%-24s %-8s %-10s %s", "MOUNTPOINT", "TYPE", "DEVICE", "DISKS"));
    for (GuestFilesystem fs : filesystems) {
      human
          .append('\n')
          .append(
              String.format(
                  "%-24s %-8s %-10s %s",
                  fs.mountpoint(), fs.type(), fs.name(), String.join(",", fs.disks())));
    }
    Map<String, Object> json = json(AgentCommand.FSINFO, ms);
    json.put("filesystems", filesystems);
    return CommandResult.ok(human.toString(), json);
  }

  private static Map<String, Object> json(AgentCommand command, long ms) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("command", command.cliName());
    json.put("ms", ms);
    return json;
  }

  private static long since(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }
}
