package io.quiesce.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The agent's {@code guest-exec} and {@code guest-exec-status}, on any {@link GuestAgent} that
 * relays them: starts a program in the guest with its output captured, and reads its status.
 *
 * <p>The program is executed directly with its arguments (no shell). The agent has no command to
 * kill it: a caller that stops waiting leaves it running. Output arrives base64-encoded; only the
 * first {@link #MAX_ENCODED_OUTPUT} characters of each stream are decoded (the reply itself is
 * bounded by the channel), and what is decoded is still the guest's: callers store it through
 * {@code BoundedText}.
 */
public final class GuestExec {
  public static final String EXEC = "guest-exec";
  public static final String EXEC_STATUS = "guest-exec-status";

  /** Base64 characters decoded per stream at most (a multiple of 4: 3 KiB of output). */
  public static final int MAX_ENCODED_OUTPUT = 4096;

  /**
   * The status of a started program.
   *
   * @param exited whether it has ended; the other fields are set only then
   * @param exitCode its exit code, null when it was killed by a signal
   * @param signal the signal that killed it, null otherwise
   * @param stdout the start of its standard output (decoded leniently as UTF-8), or ""
   * @param stderr the start of its standard error, or ""
   * @param outputCut some output was not decoded here, or the agent itself cut it
   */
  public record Status(
      boolean exited,
      Integer exitCode,
      Integer signal,
      String stdout,
      String stderr,
      boolean outputCut) {}

  private final GuestAgent agent;
  private final Duration callTimeout;

  /**
   * @param callTimeout the bound of each agent call (not of the program, which the caller bounds)
   */
  public GuestExec(GuestAgent agent, Duration callTimeout) {
    this.agent = Objects.requireNonNull(agent, "agent");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
  }

  /**
   * Starts {@code path} with {@code args} and its output captured.
   *
   * @return the guest's process id, for {@link #status}
   */
  public long start(String path, List<String> args) {
    ObjectNode arguments = QgaJson.object();
    arguments.put("path", Objects.requireNonNull(path, "path"));
    ArrayNode arg = arguments.putArray("arg");
    for (String a : args == null ? List.<String>of() : args) {
      arg.add(Objects.requireNonNull(a, "argument"));
    }
    arguments.put("capture-output", true);
    JsonNode pid = agent.execute(EXEC, arguments, callTimeout).path("pid");
    if (!pid.isIntegralNumber() || !pid.canConvertToLong()) {
      throw new AgentProtocolException(EXEC + " returned no integer pid: " + QgaJson.excerpt(pid));
    }
    return pid.longValue();
  }

  /** {@code guest-exec-status} of {@code pid}. */
  public Status status(long pid) {
    ObjectNode arguments = QgaJson.object();
    arguments.put("pid", pid);
    JsonNode ret = agent.execute(EXEC_STATUS, arguments, callTimeout);
    JsonNode exited = ret.path("exited");
    if (!exited.isBoolean()) {
      throw new AgentProtocolException(
          EXEC_STATUS + " returned no exited flag: " + QgaJson.excerpt(ret));
    }
    if (!exited.booleanValue()) {
      return new Status(false, null, null, "", "", false);
    }
    JsonNode code = ret.path("exitcode");
    JsonNode signal = ret.path("signal");
    Decoded out = decode(ret.path("out-data"));
    Decoded err = decode(ret.path("err-data"));
    boolean agentCut =
        ret.path("out-truncated").asBoolean(false) || ret.path("err-truncated").asBoolean(false);
    return new Status(
        true,
        code.isIntegralNumber() && code.canConvertToInt() ? code.intValue() : null,
        signal.isIntegralNumber() && signal.canConvertToInt() ? signal.intValue() : null,
        out.text(),
        err.text(),
        out.cut() || err.cut() || agentCut);
  }

  private record Decoded(String text, boolean cut) {}

  /** The first {@link #MAX_ENCODED_OUTPUT} base64 characters, decoded; never the whole reply. */
  private static Decoded decode(JsonNode data) {
    if (!data.isTextual()) {
      return new Decoded("", false);
    }
    String encoded = data.textValue();
    boolean cut = encoded.length() > MAX_ENCODED_OUTPUT;
    String kept = cut ? encoded.substring(0, MAX_ENCODED_OUTPUT) : encoded;
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(kept);
    } catch (IllegalArgumentException e) {
      throw new AgentProtocolException(
          EXEC_STATUS + " returned output that is not base64: " + QgaJson.excerpt(data));
    }
    // a cut may split a UTF-8 sequence: String replaces malformed input with U+FFFD
    return new Decoded(new String(bytes, StandardCharsets.UTF_8), cut);
  }
}
