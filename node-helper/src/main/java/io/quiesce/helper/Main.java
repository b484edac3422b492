package io.quiesce.helper;

import io.quiesce.agent.GuestAgent;

import java.nio.file.Path;
import java.time.Duration;

/** Entry point of the node helper jar: the {@code agent} and {@code recover} command line. */
public final class Main {
    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private Main() {
    }

    public static void main(String[] args) {
        // logs go to stderr, where the command line promises one line on failure: off unless asked for
        // with -Dorg.slf4j.simpleLogger.defaultLogLevel=info
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "off");
        }
        System.exit(new AgentCli(Main::openQgaClient, System.out, System.err).run(args));
    }

    private static GuestAgent openQgaClient(Path socket, Duration timeout) {
        // wired to QgaClient at merge
        throw new IllegalStateException("this build has no QGA client yet: Main.openQgaClient is wired to"
                + " io.quiesce.agent.QgaClient at merge");
    }
}
