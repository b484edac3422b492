package io.quiesce.operator;

import ch.qos.logback.classic.Level;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quiesce.runtime.logging.InvalidLogSettingException;
import io.quiesce.runtime.logging.LogSettings;
import io.quiesce.runtime.logging.QuiesceLogging;
import io.quiesce.schedule.SchedulePreviewCommand;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the operator jar: {@code run} serves, {@code schedule preview} prints fire times.
 */
public final class Main {
  private static final String USAGE =
      """
            usage: java -jar operator.jar run                      (settings from QUIESCE_* and POD_* env vars)
                   java -jar operator.jar schedule preview '<cron>' [--time-zone ZONE] [--count N] [--from ISO-8601]
                   java -jar operator.jar finalizers release [namespace...]   (uninstall: see docs/uninstall.md)
                   java -jar operator.jar kubectl-quiesce ...          (the kubectl plugin: see docs/kubectl.md)""";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args)));
  }

  static int run(List<String> args) {
    boolean serve = args.size() == 1 && args.get(0).equals("run");
    // the Deployment logs at info unless set otherwise; the command line keeps quiet unless asked
    try {
      String commandLineLevel = System.getProperty(LogSettings.COMMAND_LINE_LEVEL_PROPERTY);
      QuiesceLogging.configure(
          serve
              ? LogSettings.fromEnv(System.getenv(), Level.INFO)
              : LogSettings.forCommandLine(System.getenv(), commandLineLevel));
    } catch (InvalidLogSettingException e) {
      System.err.println("quiesce operator: " + e.getMessage());
      return 2;
    }
    if (!args.isEmpty() && args.get(0).equals("kubectl-quiesce")) {
      return new io.quiesce.plugin.KubectlQuiesce(
              System.out, System.err, java.time.Clock.systemUTC())
          .run(args.subList(1, args.size()));
    }
    if (args.size() >= 2 && args.get(0).equals("schedule") && args.get(1).equals("preview")) {
      return new SchedulePreviewCommand(System.out, System.err)
          .run(args.subList(2, args.size()), Instant.now());
    }
    if (args.size() >= 2 && args.get(0).equals("finalizers") && args.get(1).equals("release")) {
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        return new FinalizerRelease(client, System.out)
                    .release(new java.util.TreeSet<>(args.subList(2, args.size())))
                < 0
            ? 1
            : 0;
      }
    }
    if (serve) {
      return serve();
    }
    System.err.println(USAGE);
    return 2;
  }

  /** Serves until SIGTERM/SIGINT, then stops the operator cleanly. */
  private static int serve() {
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("quiesce operator: " + e.getMessage());
      return 2;
    }
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withKubernetesSerialization(new StreamedWatchEvents())
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    try {
      OperatorRuntime runtime = OperatorRuntime.start(settings, client);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    runtime.close();
                    client.close();
                    stopped.countDown();
                  },
                  "quiesce-shutdown"));
      stopped.await();
      return 0;
    } catch (Exception e) {
      // the cause chain says why (JOSDK wraps an informer's failure in "Error starting operator")
      StringBuilder why = new StringBuilder(String.valueOf(e));
      Throwable c = e.getCause();
      for (int depth = 0; c != null && depth < 8; depth++, c = c.getCause()) {
        why.append(" <- ").append(c);
      }
      System.err.println("quiesce operator failed to start: " + why);
      client.close();
      return 1;
    }
  }
}
