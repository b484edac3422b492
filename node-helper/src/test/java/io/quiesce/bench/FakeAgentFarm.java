package io.quiesce.bench;

import io.quiesce.agent.FakeAgentConnection;
import io.quiesce.agent.FakeQgaServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * FAKE guest agents for the footprint benchmark, in a process of their own so that they do not
 * count in the node helper's memory: one {@link FakeQgaServer} per socket directory given, each
 * answering the commands the node helper sends (sync, ping, info, fsfreeze status/freeze/thaw,
 * fsinfo) as the real qemu-guest-agent does, with no guest behind it. Ten real guests under
 * software emulation are too heavy for this machine's two cores; the freeze path in the helper is
 * the same.
 *
 * <p>Usage: {@code FakeAgentFarm <dir>...}: listens on {@code <dir>/qga.sock} for each; serves
 * until killed.
 */
public final class FakeAgentFarm {

  private static final String SUPPORTED =
      "[\"guest-sync-delimited\",\"guest-sync\",\"guest-ping\",\"guest-info\","
          + "\"guest-fsfreeze-status\",\"guest-fsfreeze-freeze\",\"guest-fsfreeze-freeze-list\","
          + "\"guest-fsfreeze-thaw\",\"guest-get-fsinfo\"]";

  private FakeAgentFarm() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: FakeAgentFarm <dir>...");
      System.exit(2);
    }
    List<FakeQgaServer> agents = new ArrayList<>();
    for (String dir : args) {
      Path path = Files.createDirectories(Path.of(dir));
      AtomicBoolean frozen = new AtomicBoolean();
      agents.add(FakeQgaServer.start(path, connection -> serve(connection, frozen)));
    }
    System.out.println("FAKE guest agents listening: " + agents.size());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agents.forEach(
                      a -> {
                        try {
                          a.close();
                        } catch (Exception e) {
                          // stopping anyway
                        }
                      });
                  stopped.countDown();
                }));
    stopped.await();
  }

  /** A FAKE agent of one guest, for a {@link FakeQgaServer}: answers as {@link #serve} does. */
  public static FakeQgaServer.Script agent() {
    AtomicBoolean frozen = new AtomicBoolean();
    return connection -> serve(connection, frozen);
  }

  /** Answers requests on one connection until the client goes away. */
  static void serve(FakeAgentConnection c, AtomicBoolean frozen) throws Exception {
    while (true) {
      FakeAgentConnection.Request r = c.readRequest();
      switch (r.command()) {
        case "guest-sync-delimited" -> {
          if (r.delimited()) {
            c.writeLine(FakeAgentConnection.PARSE_ERROR_REPLY); // the agent's answer to the 0xFF
          }
          c.writeDelimitedReturn(r.arguments().path("id").asLong());
        }
        case "guest-sync" -> c.replyReturn(r, Long.toString(r.arguments().path("id").asLong()));
        case "guest-ping" -> c.replyReturn(r, "{}");
        case "guest-info" ->
            c.replyReturn(
                r,
                "{\"version\": \"fake\", \"supported_commands\": "
                    + SUPPORTED.replaceAll("\"([a-z-]+)\"", "{\"name\": \"$1\", \"enabled\": true}")
                    + "}");
        case "guest-fsfreeze-status" ->
            c.replyReturn(r, frozen.get() ? "\"frozen\"" : "\"thawed\"");
        case "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list" -> {
          frozen.set(true);
          c.replyReturn(r, "1");
        }
        case "guest-fsfreeze-thaw" -> c.replyReturn(r, frozen.getAndSet(false) ? "1" : "0");
        case "guest-get-fsinfo" -> c.replyReturn(r, "[]");
        default ->
            c.replyError(
                r, "CommandNotFound", "The command " + r.command() + " has not been found");
      }
    }
  }
}
