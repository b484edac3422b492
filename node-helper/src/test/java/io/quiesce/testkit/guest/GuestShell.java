package io.quiesce.testkit.guest;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Shell commands in the test guest through the agent's {@code guest-exec}, over whatever channel
 * reaches the agent (the agent socket, or libvirt), and the fault knobs written with them.
 */
public final class GuestShell {

  /** Sends one agent command and returns its {@code return} value. */
  @FunctionalInterface
  public interface AgentExec {
    JsonNode execute(String command, ObjectNode arguments);
  }

  private static final Pattern KNOB_VALUE = Pattern.compile("|[0-9]{1,4}(\\.[0-9]{1,3})?");

  private GuestShell() {}

  /**
   * Arms a fault knob in the guest (written atomically).
   *
   * @param value seconds for the timed knobs, empty for {@link GuestKnob#KILL_IN_FREEZE_HOOK}
   */
  public static void setKnob(AgentExec agent, GuestKnob knob, String value) {
    if (!KNOB_VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "knob value must be empty or a number of seconds: " + value);
    }
    // write then rename: the guest's control loop polls the file and must never read it
    // half-written
    run(
        agent,
        "mkdir -p /run/qga-test && printf %s \"$1\" > /run/qga-test/.$2 && mv -f /run/qga-test/.$2 /run/qga-test/$2",
        value,
        knob.fileName());
  }

  /** Disarms every knob not yet consumed. */
  public static void clearKnobs(AgentExec agent) {
    run(agent, "rm -f /run/qga-test/* /run/qga-test/.[a-z]*");
  }

  /** Runs {@code sh -c script sh args...} in the guest and requires exit code 0. */
  public static void run(AgentExec agent, String shellScript, String... args) {
    output(agent, shellScript, args);
  }

  /**
   * Runs {@code sh -c script sh args...} in the guest, requires exit code 0, and returns its
   * stdout.
   */
  public static String output(AgentExec agent, String shellScript, String... args) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode exec = json.objectNode().put("path", "/bin/sh").put("capture-output", true);
    ArrayNode argv = exec.putArray("arg").add("-c").add(shellScript).add("sh");
    for (String a : args) {
      argv.add(a);
    }
    long pid = agent.execute("guest-exec", exec).path("pid").asLong(-1);
    ObjectNode statusArgs = json.objectNode().put("pid", pid);
    AtomicReference<JsonNode> status = new AtomicReference<>();
    await("guest-exec pid " + pid + " exits")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              status.set(agent.execute("guest-exec-status", statusArgs));
              return status.get().path("exited").asBoolean(false);
            });
    if (status.get().path("exitcode").asInt(-1) != 0) {
      String err =
          new String(
              Base64.getDecoder().decode(status.get().path("err-data").asText("")),
              StandardCharsets.UTF_8);
      throw new IllegalStateException("guest command failed: " + status.get() + " " + err);
    }
    return new String(
        Base64.getDecoder().decode(status.get().path("out-data").asText("")),
        StandardCharsets.UTF_8);
  }
}
