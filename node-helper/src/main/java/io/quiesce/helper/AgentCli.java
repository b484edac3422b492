package io.quiesce.helper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiesce.agent.AgentException;
import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.status.Reason;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node helper's command line, for people debugging a node (like {@code virsh
 * qemu-agent-command}): {@code agent <ping|info|status|freeze|thaw|fsinfo> --socket PATH [--timeout
 * D] [--json] [--mountpoint P ...]} and {@code recover --socket PATH [--socket PATH ...]}; instead
 * of {@code --socket}, a guest whose agent socket libvirt holds is reached with {@code
 * --libvirt-socket PATH --domain NAME}. Human output by default, one JSON object with {@code
 * --json}; on failure a non-zero {@link ExitCode} and one line on stderr.
 */
public final class AgentCli {
  static final String USAGE =
      """
            usage: java -jar node-helper.jar agent <ping|info|status|freeze|thaw|fsinfo> --socket PATH \
            [--timeout D] [--json] [--mountpoint P ...]
                   java -jar node-helper.jar agent <...> --libvirt-socket PATH --domain NAME [--libvirt-uri URI] [...]
                   java -jar node-helper.jar recover --socket PATH [--socket PATH ...] [--timeout D] [--json]
                   java -jar node-helper.jar recover --libvirt-socket PATH --domain NAME [--domain NAME ...] [...]
                   java -jar node-helper.jar run

              agent     run one guest agent command on the agent's unix socket
                        (freeze leaves the guest frozen until 'agent thaw': use with care)
              recover   thaw every guest among these sockets that is frozen, as a restarted helper does
              run       serve this node (the DaemonSet's command; configured by environment, see the chart)
              --socket  the guest agent's unix socket (QGA straight; nobody else may hold it)
              --libvirt-socket, --domain
                        the libvirt daemon socket holding the agent (a KubeVirt virt-launcher's
                        virtqemud-sock; any path length) and the domain (KubeVirt: <namespace>_<vmi>)
              --libvirt-uri  the connection opened on that daemon (default qemu:///session)
              --timeout how long to wait for the agent: 500ms, 5s, 1m (default 10s)
              --json    print one JSON object instead of human output

            exit codes: 0 ok, 1 internal error, 2 usage, 3 agent timeout, 4 agent error or guest not thawed
            """;

  /** Over the agent client's own timeout, before the command line gives up on a call itself. */
  private static final Duration GUARD_SLACK = Duration.ofMillis(500);

  private static final int MAX_ERROR_LINE = 400;

  private final AgentOpener opener;
  private final PrintStream out;
  private final PrintStream err;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param opener opens the agent connection for a socket (the QGA client; a fake in tests)
   * @param out where results go
   * @param err where the one-line failure reason goes
   */
  public AgentCli(AgentOpener opener, PrintStream out, PrintStream err) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  /** Runs the command line and returns the process exit code. */
  public int run(String... args) {
    CliArguments cli;
    try {
      cli = CliParser.parse(args);
    } catch (UsageException e) {
      return fail(ExitCode.USAGE, "usage: " + e.getMessage() + " (see --help)");
    }
    try {
      CommandResult result =
          switch (cli.mode()) {
            case HELP -> CommandResult.ok(USAGE.stripTrailing(), null);
            case AGENT -> runAgentCommand(cli);
            case RECOVER -> RecoverCommand.run(cli.targets(), cli.timeout(), opener);
          };
      if (result.human() != null) {
        out.println(cli.json() && result.json() != null ? toJson(result) : result.human());
        out.flush();
      }
      return result.failure() == null
          ? ExitCode.OK.code()
          : fail(result.exitCode(), result.failure());
    } catch (AgentException e) {
      return fail(
          isTimeout(e) ? ExitCode.TIMEOUT : ExitCode.AGENT_ERROR,
          e.reason() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      return fail(ExitCode.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Runs the command on its own thread and stops waiting after the timeout plus a little, closing
   * the connection, in case the client's own timeout does not fire.
   */
  private CommandResult runAgentCommand(CliArguments cli) {
    AgentTarget target = cli.targets().get(0);
    Duration guard = cli.timeout().multipliedBy(2).plus(GUARD_SLACK);
    AtomicReference<GuestAgent> opened = new AtomicReference<>();
    AtomicBoolean abandoned = new AtomicBoolean();
    ExecutorService runner =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "quiesce-cli-agent-call");
              thread.setDaemon(true);
              return thread;
            });
    try {
      Future<CommandResult> call =
          runner.submit(
              () -> {
                try (GuestAgent agent = opener.open(target, cli.timeout())) {
                  opened.set(agent);
                  if (abandoned.get()) {
                    return null;
                  }
                  return AgentCommandRunner.run(cli.agentCommand(), agent, cli.mountpoints());
                }
              });
      return call.get(guard.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      abandoned.set(true);
      GuestAgent agent = opened.get();
      if (agent != null) {
        agent.close();
      }
      return new CommandResult(
          null,
          null,
          ExitCode.TIMEOUT,
          "AgentTimeout: no answer from " + target + " within " + guard.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      runner.shutdownNow();
    }
  }

  private String toJson(CommandResult result) {
    try {
      return json.writeValueAsString(result.json());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  private int fail(ExitCode code, String reason) {
    String line = reason == null ? "failed" : reason.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    if (line.length() > MAX_ERROR_LINE) {
      line = line.substring(0, MAX_ERROR_LINE - 3) + "...";
    }
    err.println("quiesce: " + line);
    err.flush();
    return code.code();
  }

  private static boolean isTimeout(AgentException e) {
    return e instanceof AgentNotRespondingException
        || Reason.AGENT_TIMEOUT.wire().equals(e.reason());
  }
}
