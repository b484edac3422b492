package io.quiesce.helper;

import ch.qos.logback.classic.Level;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.runtime.logging.InvalidLogSettingException;
import io.quiesce.runtime.logging.LogSettings;
import io.quiesce.runtime.logging.QuiesceLogging;
import java.time.Duration;

/**
 * Entry point of the node helper jar: the {@code run} command (the DaemonSet) and the {@code agent}
 * and {@code recover} command line.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    boolean serve = args.length == 1 && "run".equals(args[0]);
    // the DaemonSet logs at info unless set otherwise; the command line promises one line on stderr
    // on failure, so its logs are off unless -Dquiesce.log.level asks for them
    try {
      String commandLineLevel = System.getProperty(LogSettings.COMMAND_LINE_LEVEL_PROPERTY);
      QuiesceLogging.configure(
          serve
              ? LogSettings.fromEnv(System.getenv(), Level.INFO)
              : LogSettings.forCommandLine(System.getenv(), commandLineLevel));
    } catch (InvalidLogSettingException e) {
      System.err.println("node-helper: " + e.getMessage());
      System.exit(ExitCode.USAGE.code());
    }
    if (serve) {
      System.exit(RunCommand.run(System.getenv()));
    }
    System.exit(new AgentCli(Main::openAgent, System.out, System.err).run(args));
  }

  /**
   * The direct QGA channel or the libvirt one; every phase of a call is bounded by the command's
   * {@code --timeout}.
   */
  private static GuestAgent openAgent(AgentTarget target, Duration timeout) {
    QgaSettings settings =
        QgaSettings.defaults()
            .withConnectTimeout(timeout)
            .withSyncTimeout(timeout)
            .withCommandTimeout(timeout)
            .withFreezeTimeout(timeout)
            .withThawTimeout(timeout);
    if (target.viaLibvirt()) {
      return new LibvirtAgent(target.socket(), target.domain(), settings, target.libvirtUri());
    }
    return new QgaClient(target.socket(), settings);
  }
}
