package io.quiesce.helper;

import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaSettings;
import io.quiesce.libvirt.LibvirtAgent;

import java.time.Duration;

/** Entry point of the node helper jar: the {@code run} command (the DaemonSet) and the {@code agent} and {@code recover} command line. */
public final class Main {
    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && "run".equals(args[0])) {
            // the DaemonSet's command: logs on unless set otherwise, and no exit until SIGTERM
            if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
                System.setProperty(LOG_LEVEL_PROPERTY, "info");
            }
            System.exit(RunCommand.run(System.getenv()));
        }
        // logs go to stderr, where the command line promises one line on failure: off unless asked for
        // with -Dorg.slf4j.simpleLogger.defaultLogLevel=info
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "off");
        }
        System.exit(new AgentCli(Main::openAgent, System.out, System.err).run(args));
    }

    /** The direct QGA channel or the libvirt one; every phase of a call is bounded by the command's {@code --timeout}. */
    private static GuestAgent openAgent(AgentTarget target, Duration timeout) {
        QgaSettings settings = QgaSettings.defaults().withConnectTimeout(timeout).withSyncTimeout(timeout)
                .withCommandTimeout(timeout).withFreezeTimeout(timeout).withThawTimeout(timeout);
        if (target.viaLibvirt()) {
            return new LibvirtAgent(target.socket(), target.domain(), settings, target.libvirtUri());
        }
        return new QgaClient(target.socket(), settings);
    }
}
