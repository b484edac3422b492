package io.quiesce.helper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.freeze.Backoff;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.freeze.FreezeEngineConfig;
import io.quiesce.freeze.GuestRecovery;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryReport;
import io.quiesce.freeze.StaticGuestInventory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code recover --socket PATH...} (or {@code --libvirt-socket PATH --domain NAME...}): the freeze
 * engine's start-up recovery over the given guests: every guest found frozen is thawed (nothing of
 * this process can be behind that freeze).
 */
final class RecoverCommand {
  /** Guests named on the command line have no Kubernetes namespace; the target names them. */
  private static final String SOCKET_NAMESPACE = "socket";

  private static final String LIBVIRT_NAMESPACE = "libvirt";

  private RecoverCommand() {}

  static CommandResult run(List<AgentTarget> targets, Duration timeout, AgentOpener opener) {
    Map<GuestRef, AgentTarget> guests = new LinkedHashMap<>();
    targets.forEach(
        target ->
            guests.put(
                new GuestRef(
                    target.viaLibvirt() ? LIBVIRT_NAMESPACE : SOCKET_NAMESPACE, target.toString()),
                target));
    FreezeEngineConfig config =
        FreezeEngineConfig.builder()
            .callTimeout(timeout)
            .recoveryThawTimeout(timeout.multipliedBy(3))
            .thawBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2)))
            .recoveryParallelism(Math.min(4, guests.size()))
            .build();
    FreezeEngine engine =
        FreezeEngine.create(
            guest -> opener.open(guests.get(guest), timeout), config, new SimpleMeterRegistry());
    RecoveryReport report;
    try {
      report = engine.recover(new StaticGuestInventory(new ArrayList<>(guests.keySet())));
    } finally {
      engine.shutdown(timeout);
    }
    return describe(report, guests);
  }

  private static CommandResult describe(RecoveryReport report, Map<GuestRef, AgentTarget> targets) {
    StringBuilder human = new StringBuilder();
    List<Map<String, Object>> entries = new ArrayList<>();
    for (GuestRecovery guest : report.guests()) {
      String action = guest.action().name().toLowerCase(Locale.ROOT).replace('_', '-');
      if (!human.isEmpty()) {
        human.append('\n');
      }
      human
          .append(guest.guest().name())
          .append(": ")
          .append(action)
          .append(" (")
          .append(guest.detail())
          .append(") in ")
          .append(guest.durationMs())
          .append(" ms");
      Map<String, Object> entry = new LinkedHashMap<>();
      AgentTarget target = targets.get(guest.guest());
      entry.put("socket", target.socket().toString());
      if (target.viaLibvirt()) {
        entry.put("domain", target.domain());
      }
      entry.put("action", action);
      entry.put("detail", guest.detail());
      entry.put("ms", guest.durationMs());
      entries.add(entry);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("command", "recover");
    json.put("allThawed", report.allThawed());
    json.put("guests", entries);
    if (report.allThawed()) {
      return CommandResult.ok(human.toString(), json);
    }
    List<GuestRecovery> failed =
        report.guests().stream().filter(g -> !g.action().endedThawed()).toList();
    GuestRecovery first = failed.get(0);
    return new CommandResult(
        human.toString(),
        json,
        ExitCode.AGENT_ERROR,
        failed.size()
            + " of "
            + report.guests().size()
            + " guest(s) not confirmed thawed; first: "
            + first.guest().name()
            + ": "
            + first.action().name().toLowerCase(Locale.ROOT)
            + " ("
            + first.detail()
            + ")");
  }
}
