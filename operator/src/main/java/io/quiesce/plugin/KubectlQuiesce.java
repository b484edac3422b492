package io.quiesce.plugin;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kubectl quiesce}: the kubectl plugin (run by the {@code kubectl-quiesce} launcher as
 * {@code operator.jar kubectl-quiesce ...}). Reads the kubeconfig as kubectl does ({@code
 * --kubeconfig}, else {@code KUBECONFIG}, else {@code ~/.kube/config}; {@code --context}; {@code
 * --namespace}/{@code -n}, else the context's namespace). Exit codes as the helper's agent CLI: 0
 * ok, 1 internal error, 2 usage, 3 timeout, 4 failed (a snapshot that failed, a refused request);
 * any failure prints one line on stderr.
 */
public final class KubectlQuiesce {
  static final String USAGE =
      """
            usage: kubectl quiesce <command> [--namespace NS] [--context CTX] [--kubeconfig FILE]
              snapshot VM [--wait] [--timeout D] [--mode Required|BestEffort|Skip]
                                 create a QuiescedSnapshot of VM; --wait follows it to the end (at most
                                 --timeout, default 5m), printing each phase and the freeze window
              status [VM]        each VM's latest snapshot: phase, consistency, frozen ms, age
              describe SNAPSHOT  the snapshot's timeline: created, assigned, frozen, each cut, thawed, done
              preview SCHEDULE   the next fire times of a QuiescedSnapshotSchedule, in its time zone
              restore SNAPSHOT (--to NAME | --in-place [--stop-vm]) [--members VM,VM]
                      [--allow-crash-consistent] [--wait] [--timeout D]
                                 create a QuiescedSnapshotRestore: into a new VM NAME (of a group
                                 snapshot: one new VM NAME--<vm> per member), or in place; --members
                                 restores only those VMs of a group; --wait follows it to the end
              thaw VM [--timeout D]
                                 emergency thaw of VM's guest by the node helper of its node: asks
                                 through the VMI's quiesce.io/thaw-requested annotation, waits (at
                                 most --timeout, default 1m) for the helper's answer; the helper
                                 records an EmergencyThaw Event on the VMI
            exit codes: 0 ok, 1 internal error, 2 usage, 3 timeout, 4 failed""";

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  public KubectlQuiesce(PrintStream out, PrintStream err, Clock clock) {
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /** Runs the plugin; returns the exit code. */
  public int run(List<String> args) {
    try {
      Invocation invocation = Invocation.parse(args);
      if (invocation.help()) {
        out.println(USAGE);
        return 0;
      }
      try (KubernetesClient client = client(invocation)) {
        String namespace =
            invocation
                .namespace()
                .orElseGet(() -> Optional.ofNullable(client.getNamespace()).orElse("default"));
        PluginCommands commands = new PluginCommands(client, namespace, out, clock);
        return switch (invocation.command()) {
          case "snapshot" ->
              commands.snapshot(
                  invocation.argument(),
                  invocation.waitForEnd(),
                  invocation.timeout().orElse(Duration.ofMinutes(5)),
                  invocation.mode());
          case "status" -> commands.status(invocation.optionalArgument());
          case "describe" -> commands.describe(invocation.argument());
          case "preview" -> commands.preview(invocation.argument(), invocation.count());
          case "restore" ->
              new RestoreCommand(client, namespace, out, clock, commands)
                  .restore(
                      invocation.argument(),
                      invocation.restoreOptions(),
                      invocation.waitForEnd(),
                      invocation.timeout().orElse(Duration.ofMinutes(10)));
          case "thaw" ->
              commands.thaw(
                  invocation.argument(), invocation.timeout().orElse(Duration.ofMinutes(1)));
          default ->
              throw new PluginException(
                  PluginException.USAGE, "unknown command \"" + invocation.command() + "\"");
        };
      }
    } catch (PluginException e) {
      err.println("error: " + e.getMessage());
      if (e.exitCode() == PluginException.USAGE) {
        err.println(USAGE);
      }
      return e.exitCode();
    } catch (KubernetesClientException e) {
      err.println(
          "error: "
              + (e.getStatus() != null && e.getStatus().getMessage() != null
                      ? e.getStatus().getMessage()
                      : e.getMessage())
                  .lines()
                  .findFirst()
                  .orElse(""));
      return e.getCode() == 0 ? PluginException.INTERNAL : PluginException.FAILED;
    } catch (RuntimeException e) {
      err.println("error: " + e);
      return PluginException.INTERNAL;
    }
  }

  private static KubernetesClient client(Invocation invocation) {
    invocation
        .kubeconfig()
        .ifPresent(file -> System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, file));
    Config config = Config.autoConfigure(invocation.context().orElse(null));
    // watches as kubectl makes them: a streamed HTTP response, which every API server and proxy
    // serves (fabric8 would first try a WebSocket upgrade)
    config.setOnlyHttpWatches(true);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The parsed command line. */
  record Invocation(
      String command,
      List<String> arguments,
      Optional<String> namespace,
      Optional<String> context,
      Optional<String> kubeconfig,
      boolean waitForEnd,
      Optional<Duration> timeout,
      Optional<String> mode,
      int count,
      boolean help,
      Optional<String> to,
      boolean inPlace,
      boolean stopVm,
      List<String> members,
      boolean allowCrashConsistent) {

    static Invocation parse(List<String> args) throws PluginException {
      List<String> positional = new ArrayList<>();
      String namespace = null;
      String context = null;
      String kubeconfig = null;
      boolean wait = false;
      Duration timeout = null;
      String mode = null;
      int count = 5;
      boolean help = false;
      String to = null;
      boolean inPlace = false;
      boolean stopVm = false;
      List<String> members = List.of();
      boolean allowCrashConsistent = false;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        String inline =
            arg.contains("=") && arg.startsWith("--") ? arg.substring(arg.indexOf('=') + 1) : null;
        String flag = inline == null ? arg : arg.substring(0, arg.indexOf('='));
        switch (flag) {
          case "-n", "--namespace" -> namespace = inline != null ? inline : value(args, ++i, flag);
          case "--context" -> context = inline != null ? inline : value(args, ++i, flag);
          case "--kubeconfig" -> kubeconfig = inline != null ? inline : value(args, ++i, flag);
          case "--wait" -> wait = true;
          case "--timeout" -> timeout = duration(inline != null ? inline : value(args, ++i, flag));
          case "--mode" -> mode = mode(inline != null ? inline : value(args, ++i, flag));
          case "--count" -> count = count(inline != null ? inline : value(args, ++i, flag));
          case "--to" -> to = inline != null ? inline : value(args, ++i, flag);
          case "--in-place" -> inPlace = true;
          case "--stop-vm" -> stopVm = true;
          case "--members" -> members = names(inline != null ? inline : value(args, ++i, flag));
          case "--allow-crash-consistent" -> allowCrashConsistent = true;
          case "-h", "--help", "help" -> help = true;
          default -> {
            if (arg.startsWith("-")) {
              throw new PluginException(PluginException.USAGE, "unknown flag \"" + arg + "\"");
            }
            positional.add(arg);
          }
        }
      }
      if (positional.isEmpty() && !help) {
        throw new PluginException(PluginException.USAGE, "missing the command");
      }
      String command = positional.isEmpty() ? "help" : positional.get(0);
      return new Invocation(
          command,
          positional.subList(Math.min(1, positional.size()), positional.size()),
          Optional.ofNullable(namespace),
          Optional.ofNullable(context),
          Optional.ofNullable(kubeconfig),
          wait,
          Optional.ofNullable(timeout),
          Optional.ofNullable(mode),
          count,
          help,
          Optional.ofNullable(to),
          inPlace,
          stopVm,
          members,
          allowCrashConsistent);
    }

    /** The restore's target and options; exactly one of --to and --in-place. */
    RestoreCommand.Options restoreOptions() throws PluginException {
      if (to.isPresent() == inPlace) {
        throw new PluginException(
            PluginException.USAGE, "restore needs exactly one of --to NAME and --in-place");
      }
      if (stopVm && !inPlace) {
        throw new PluginException(PluginException.USAGE, "--stop-vm goes with --in-place");
      }
      return new RestoreCommand.Options(to, stopVm, members, allowCrashConsistent);
    }

    private static List<String> names(String text) throws PluginException {
      List<String> names =
          java.util.Arrays.stream(text.split(","))
              .map(String::strip)
              .filter(n -> !n.isEmpty())
              .toList();
      if (names.isEmpty()) {
        throw new PluginException(PluginException.USAGE, "--members needs VM names, e.g. app,db");
      }
      return names;
    }

    String argument() throws PluginException {
      if (arguments.size() != 1) {
        throw new PluginException(PluginException.USAGE, command + " takes exactly one name");
      }
      return arguments.get(0);
    }

    Optional<String> optionalArgument() throws PluginException {
      if (arguments.size() > 1) {
        throw new PluginException(PluginException.USAGE, command + " takes at most one VM name");
      }
      return arguments.stream().findFirst();
    }

    private static String value(List<String> args, int i, String flag) throws PluginException {
      if (i >= args.size()) {
        throw new PluginException(PluginException.USAGE, flag + " needs a value");
      }
      return args.get(i);
    }

    /** Go-style durations as kubectl takes them: {@code 90s}, {@code 5m}, {@code 1h}. */
    static Duration duration(String text) throws PluginException {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
      if (!m.matches()) {
        throw new PluginException(
            PluginException.USAGE,
            "--timeout: \"" + text + "\" is not a duration" + " such as 90s, 5m or 1h");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }

    private static String mode(String text) throws PluginException {
      if (!List.of("Required", "BestEffort", "Skip").contains(text)) {
        throw new PluginException(
            PluginException.USAGE,
            "--mode: \"" + text + "\" is not one of Required, BestEffort, Skip");
      }
      return text;
    }

    private static int count(String text) throws PluginException {
      try {
        int n = Integer.parseInt(text);
        if (n >= 1 && n <= 100) {
          return n;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw new PluginException(
          PluginException.USAGE, "--count: \"" + text + "\" is not a number from 1 to 100");
    }
  }
}
