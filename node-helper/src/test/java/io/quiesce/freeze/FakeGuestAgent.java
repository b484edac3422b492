package io.quiesce.freeze;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.GuestFilesystem;
import io.quiesce.agent.GuestInfo;
import io.quiesce.agent.GuestOsInfo;
import io.quiesce.agent.QgaClient;
import io.quiesce.agent.QgaErrors;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A fake guest agent for unit tests, named as one: it keeps the guest's frozen/thawed state across
 * connections (as qemu-ga does), counts connections, and can be scripted per command to hang, fail,
 * have no effect or report wrong counts. The real agent is exercised by the real-guest tests.
 */
public final class FakeGuestAgent {
  /**
   * How long a scripted hang lasts at most if nobody closes the connection (keeps test threads
   * finite).
   */
  private static final Duration HANG_LIMIT = Duration.ofSeconds(30);

  /** The agent commands the fake answers. */
  public enum Command {
    PING,
    INFO,
    STATUS,
    FREEZE,
    THAW,
    FSINFO,
    OSINFO
  }

  /**
   * What one call of a command does instead of the normal answer; consumed in order, then normal
   * again.
   */
  public record Step(
      Kind kind, String reason, int count, CountDownLatch gate, String agentMessage) {
    enum Kind {
      HANG,
      APPLY_THEN_HANG,
      FAIL,
      NO_EFFECT,
      REPORT_COUNT,
      APPLY_THEN_FAIL,
      GATE,
      AGENT_ERROR
    }

    Step(Kind kind, String reason, int count, CountDownLatch gate) {
      this(kind, reason, count, gate, null);
    }

    /**
     * Answers with the agent error {@code {"class": errorClass, "desc": desc}}, typed as the real
     * clients type it ({@code QgaErrors}); changes nothing.
     */
    public static Step agentError(String errorClass, String desc) {
      return new Step(Kind.AGENT_ERROR, errorClass, 0, null, desc);
    }

    /**
     * Blocks until the connection is closed, then fails like a broken connection; changes nothing.
     */
    public static Step hang() {
      return new Step(Kind.HANG, null, 0, null);
    }

    /** Takes effect (e.g. freezes), then never answers until the connection is closed. */
    public static Step applyThenHang() {
      return new Step(Kind.APPLY_THEN_HANG, null, 0, null);
    }

    /** Fails with {@link FakeAgentException} of this reason; changes nothing. */
    public static Step fail(String reason) {
      return new Step(Kind.FAIL, reason, 0, null);
    }

    /** Takes effect, then fails (e.g. Windows VSS: thawed, but the thaw reports an error). */
    public static Step applyThenFail(String reason) {
      return new Step(Kind.APPLY_THEN_FAIL, reason, 0, null);
    }

    /**
     * Answers as if it worked (0 for freeze/thaw) but changes nothing: a thaw that does not thaw.
     */
    public static Step noEffect() {
      return new Step(Kind.NO_EFFECT, null, 0, null);
    }

    /** Takes effect but reports {@code count} filesystems. */
    public static Step reportCount(int count) {
      return new Step(Kind.REPORT_COUNT, null, count, null);
    }

    /** Waits for {@code gate} (or the connection's close), then answers normally. */
    public static Step gate(CountDownLatch gate) {
      return new Step(Kind.GATE, null, 0, gate);
    }
  }

  /** One ext4 filesystem on /data, like the test guest's data disk. */
  public static final List<GuestFilesystem> ONE_DATA_FILESYSTEM =
      List.of(new GuestFilesystem("vdb", "/data", "ext4", List.of("data-disk")));

  private final List<GuestFilesystem> filesystems;
  private final AtomicInteger sharedInFlight;
  private final AtomicInteger sharedMaxInFlight;
  private final Map<Command, Deque<Step>> script = new EnumMap<>(Command.class);
  private final List<Command> calls = new ArrayList<>();
  private final List<Consumer<FreezeState>> listeners = new ArrayList<>();
  private FreezeState state = FreezeState.THAWED;
  private int frozenCount;
  private long frozenAtNanos;
  private Duration lastFrozenFor;
  private int openConnections;
  private int maxOpenConnections;
  private int connectionsOpened;
  private boolean unreachable;
  private final Map<String, Boolean> infoOverrides = new LinkedHashMap<>();
  private GuestOsInfo osInfo;

  /** A guest with one ext4 filesystem on /data. */
  public FakeGuestAgent() {
    this(ONE_DATA_FILESYSTEM, new AtomicInteger(), new AtomicInteger());
  }

  /** A guest with these filesystems whose calls in flight are counted in the shared counters. */
  public FakeGuestAgent(
      List<GuestFilesystem> filesystems,
      AtomicInteger sharedInFlight,
      AtomicInteger sharedMaxInFlight) {
    this.filesystems = List.copyOf(filesystems);
    this.sharedInFlight = sharedInFlight;
    this.sharedMaxInFlight = sharedMaxInFlight;
  }

  /** Opens a connection, like connecting to the agent's socket. */
  public GuestAgent connect() {
    synchronized (this) {
      if (unreachable) {
        throw new FakeAgentException("AgentUnavailable", "fake agent socket refuses connections");
      }
      connectionsOpened++;
      openConnections++;
      maxOpenConnections = Math.max(maxOpenConnections, openConnections);
    }
    return new Connection();
  }

  /** Adds steps for the next calls of {@code command}. */
  public synchronized FakeGuestAgent script(Command command, Step... steps) {
    script.computeIfAbsent(command, c -> new ArrayDeque<>()).addAll(List.of(steps));
    return this;
  }

  /** Forgets all scripted steps: every call answers normally from now on. */
  public synchronized FakeGuestAgent clearScript() {
    script.clear();
    return this;
  }

  /** Puts the guest in the frozen state, as another client (or a dead helper) left it. */
  public synchronized FakeGuestAgent frozenAlready() {
    freezeNow(filesystems.size());
    return this;
  }

  /** Thaws behind the engine's back (someone else ran guest-fsfreeze-thaw). */
  public synchronized void thawBehindTheEnginesBack() {
    thawNow();
  }

  /**
   * guest-info lists these commands as disabled, as an agent started with {@code --block-rpcs}
   * does.
   */
  public synchronized FakeGuestAgent disable(String... commands) {
    for (String command : commands) {
      infoOverrides.put(command, false);
    }
    return this;
  }

  /** guest-info does not list these commands at all, as an agent too old to know them. */
  public synchronized FakeGuestAgent unknown(String... commands) {
    for (String command : commands) {
      infoOverrides.put(command, null);
    }
    return this;
  }

  /**
   * What guest-get-osinfo answers; without it the fake answers CommandNotFound, as old agents do.
   */
  public synchronized FakeGuestAgent osInfo(GuestOsInfo value) {
    osInfo = value;
    return this;
  }

  public synchronized FakeGuestAgent unreachable(boolean value) {
    unreachable = value;
    return this;
  }

  /** Called with every state change, under the fake's lock. */
  public synchronized void onStateChange(Consumer<FreezeState> listener) {
    listeners.add(listener);
  }

  public synchronized FreezeState state() {
    return state;
  }

  /**
   * How long the last freeze lasted, measured by the fake on the monotonic clock; null if never
   * thawed.
   */
  public synchronized Duration lastFrozenFor() {
    return lastFrozenFor;
  }

  public synchronized List<Command> calls() {
    return List.copyOf(calls);
  }

  public synchronized long count(Command command) {
    return calls.stream().filter(c -> c == command).count();
  }

  public synchronized int openConnections() {
    return openConnections;
  }

  public synchronized int maxOpenConnections() {
    return maxOpenConnections;
  }

  public synchronized int connectionsOpened() {
    return connectionsOpened;
  }

  private void freezeNow(int count) {
    state = FreezeState.FROZEN;
    frozenCount = count;
    frozenAtNanos = System.nanoTime();
    listeners.forEach(l -> l.accept(state));
  }

  private int thawNow() {
    if (state == FreezeState.THAWED) {
      return 0;
    }
    state = FreezeState.THAWED;
    lastFrozenFor = Duration.ofNanos(System.nanoTime() - frozenAtNanos);
    listeners.forEach(l -> l.accept(state));
    return frozenCount;
  }

  private synchronized int freezeEffect(List<String> mountpoints) {
    if (state == FreezeState.FROZEN) {
      // what qemu-ga answers to a second freeze
      throw new FakeAgentException(
          "CommandDisabled",
          "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state");
    }
    int count = filesystems.size();
    if (!mountpoints.isEmpty()) {
      for (String mountpoint : mountpoints) {
        if (filesystems.stream().noneMatch(f -> f.mountpoint().equals(mountpoint))) {
          throw new FakeAgentException("CommandFailed", "failed to find mount point " + mountpoint);
        }
      }
      count = mountpoints.size();
    }
    freezeNow(count);
    return count;
  }

  private synchronized List<GuestFilesystem> fsinfoEffect() {
    if (state == FreezeState.FROZEN) {
      throw new FakeAgentException(
          "CommandDisabled",
          "Command guest-get-fsinfo has been disabled: the agent is in frozen state");
    }
    return filesystems;
  }

  private synchronized GuestInfo info() {
    Map<String, Boolean> commands = new LinkedHashMap<>();
    for (String command :
        List.of(
            "guest-ping",
            "guest-info",
            "guest-fsfreeze-status",
            "guest-fsfreeze-freeze",
            "guest-fsfreeze-freeze-list",
            "guest-fsfreeze-thaw",
            "guest-get-fsinfo",
            "guest-get-osinfo")) {
      commands.put(command, true);
    }
    commands.put("guest-exec", false);
    infoOverrides.forEach(
        (command, enabled) -> {
          if (enabled == null) {
            commands.remove(command);
          } else {
            commands.put(command, enabled);
          }
        });
    return new GuestInfo("7.2.19", commands);
  }

  private synchronized GuestOsInfo osInfoEffect() {
    if (osInfo == null) {
      throw QgaErrors.toException(
          QgaClient.OSINFO, "CommandNotFound", "The command guest-get-osinfo has not been found");
    }
    return osInfo;
  }

  /**
   * One connection; close() ends any scripted hang on it, as closing the socket ends a blocked
   * read.
   */
  private final class Connection implements GuestAgent {
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean counted; // guarded by the fake

    @Override
    public void ping() {
      run(Command.PING, () -> null, () -> null);
    }

    @Override
    public GuestInfo info() {
      return run(Command.INFO, FakeGuestAgent.this::info, FakeGuestAgent.this::info);
    }

    @Override
    public GuestOsInfo osInfo() {
      return run(
          Command.OSINFO, FakeGuestAgent.this::osInfoEffect, FakeGuestAgent.this::osInfoEffect);
    }

    @Override
    public FreezeState freezeStatus() {
      return run(Command.STATUS, FakeGuestAgent.this::state, FakeGuestAgent.this::state);
    }

    @Override
    public int freeze(List<String> mountpoints) {
      return run(Command.FREEZE, () -> freezeEffect(mountpoints), () -> 0);
    }

    @Override
    public int thaw() {
      return run(
          Command.THAW,
          () -> {
            synchronized (FakeGuestAgent.this) {
              return thawNow();
            }
          },
          () -> 0);
    }

    @Override
    public List<GuestFilesystem> filesystems() {
      return run(Command.FSINFO, FakeGuestAgent.this::fsinfoEffect, List::of);
    }

    @Override
    public void close() {
      // counted closed before a hung call wakes up, so the waker's next connection is not counted
      // as a second one
      synchronized (FakeGuestAgent.this) {
        if (counted) {
          return;
        }
        counted = true;
        openConnections--;
      }
      closed.countDown();
    }

    private <T> T run(Command command, Supplier<T> effect, Supplier<T> noEffect) {
      Step step;
      synchronized (FakeGuestAgent.this) {
        if (closed.getCount() == 0) {
          throw new FakeAgentException("ConnectionClosed", "fake connection already closed");
        }
        calls.add(command);
        Deque<Step> steps = script.get(command);
        step = steps == null ? null : steps.poll();
      }
      sharedMaxInFlight.accumulateAndGet(sharedInFlight.incrementAndGet(), Math::max);
      try {
        return answer(command, step, effect, noEffect);
      } finally {
        sharedInFlight.decrementAndGet();
      }
    }

    @SuppressWarnings("unchecked")
    private <T> T answer(Command command, Step step, Supplier<T> effect, Supplier<T> noEffect) {
      if (step == null) {
        return effect.get();
      }
      switch (step.kind()) {
        case HANG -> throw hangUntilClosed(command);
        case APPLY_THEN_HANG -> {
          effect.get();
          throw hangUntilClosed(command);
        }
        case FAIL -> throw new FakeAgentException(step.reason(), "fake " + command + " failure");
        case AGENT_ERROR ->
            throw QgaErrors.toException(qgaName(command), step.reason(), step.agentMessage());
        case APPLY_THEN_FAIL -> {
          effect.get();
          throw new FakeAgentException(step.reason(), "fake " + command + " failure after effect");
        }
        case NO_EFFECT -> {
          return noEffect.get();
        }
        case REPORT_COUNT -> {
          effect.get();
          return (T) Integer.valueOf(step.count());
        }
        case GATE -> {
          await(step.gate());
          return effect.get();
        }
        default -> throw new IllegalStateException(step.kind().name());
      }
    }

    private static String qgaName(Command command) {
      return switch (command) {
        case PING -> QgaClient.PING;
        case INFO -> QgaClient.INFO;
        case STATUS -> QgaClient.STATUS;
        case FREEZE -> QgaClient.FREEZE;
        case THAW -> QgaClient.THAW;
        case FSINFO -> QgaClient.FSINFO;
        case OSINFO -> QgaClient.OSINFO;
      };
    }

    private FakeAgentException hangUntilClosed(Command command) {
      await(closed);
      return new FakeAgentException(
          "ConnectionClosed", "fake " + command + " aborted: connection closed");
    }

    private void await(CountDownLatch latch) {
      try {
        if (!latch.await(HANG_LIMIT.toMillis(), TimeUnit.MILLISECONDS) && closed.getCount() > 0) {
          throw new FakeAgentException("FakeHangLimit", "fake hang not ended within " + HANG_LIMIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FakeAgentException("Interrupted", "interrupted in a fake hang");
      }
    }
  }
}
