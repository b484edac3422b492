package io.quiesce.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiesce.agent.AgentCommandUnavailableException;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestExec;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake guest agent for the hook unit tests, named as one: it answers guest-info and
 * guest-exec/guest-exec-status from a script per program path (exit code, output, how many status
 * polls until it exits, or never). It records every program started and every freeze and thaw, in
 * one log, so tests can check the order. The real agent is exercised by HooksRealAgentTest.
 */
final class FakeExecAgent implements GuestAgent {

  /** What a program does: exits with {@code exitCode} after {@code pollsBeforeExit} polls. */
  record Program(int exitCode, String stdout, String stderr, int pollsBeforeExit) {
    static Program exits(int code, String stdout) {
      return new Program(code, stdout, "", 0);
    }

    static Program hangs() {
      return new Program(0, "", "", Integer.MAX_VALUE);
    }
  }

  private final Map<String, Program> programs = new LinkedHashMap<>();
  private final Map<Long, Program> running = new LinkedHashMap<>();
  private final Map<Long, Integer> polls = new LinkedHashMap<>();
  private final List<String> log = new ArrayList<>();
  private final Map<String, Boolean> commands = new LinkedHashMap<>();
  private long nextPid = 100;
  private int execCalls;

  FakeExecAgent() {
    commands.put(GuestExec.EXEC, true);
    commands.put(GuestExec.EXEC_STATUS, true);
  }

  FakeExecAgent program(String path, Program program) {
    programs.put(path, program);
    return this;
  }

  /** guest-info lists guest-exec as disabled, as an agent started with --block-rpcs does. */
  FakeExecAgent execDisabled() {
    commands.put(GuestExec.EXEC, false);
    return this;
  }

  /** Every program started ("exec <path> <args>") and freeze/thaw, in order. */
  List<String> log() {
    return List.copyOf(log);
  }

  int execCalls() {
    return execCalls;
  }

  void note(String entry) {
    log.add(entry);
  }

  @Override
  public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    if (!Boolean.TRUE.equals(commands.get(command))) {
      throw new AgentCommandUnavailableException(
          command, "CommandDisabled", "The command " + command + " has been disabled");
    }
    if (command.equals(GuestExec.EXEC)) {
      execCalls++;
      String path = arguments.path("path").asText();
      List<String> args = new ArrayList<>();
      arguments.path("arg").forEach(a -> args.add(a.asText()));
      log.add(("exec " + path + " " + String.join(" ", args)).trim());
      Program p = programs.getOrDefault(path, Program.exits(0, ""));
      long pid = nextPid++;
      running.put(pid, p);
      polls.put(pid, 0);
      return json.objectNode().put("pid", pid);
    }
    long pid = arguments.path("pid").asLong();
    Program p = running.get(pid);
    int seen = polls.merge(pid, 1, Integer::sum);
    if (seen <= p.pollsBeforeExit()) {
      return json.objectNode().put("exited", false);
    }
    return json.objectNode()
        .put("exited", true)
        .put("exitcode", p.exitCode())
        .put("out-data", base64(p.stdout()))
        .put("err-data", base64(p.stderr()));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void ping() {}

  @Override
  public GuestInfo info() {
    return new GuestInfo("7.2.19", Map.copyOf(commands));
  }

  @Override
  public FreezeState freezeStatus() {
    return FreezeState.THAWED;
  }

  @Override
  public int freeze(List<String> mountpoints) {
    log.add("freeze");
    return 1;
  }

  @Override
  public int thaw() {
    log.add("thaw");
    return 1;
  }

  @Override
  public List<GuestFilesystem> filesystems() {
    return List.of();
  }

  @Override
  public void close() {}
}
