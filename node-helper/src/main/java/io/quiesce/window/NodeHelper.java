package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaSettings;
import io.quiesce.events.EventRecorder;
import io.quiesce.freeze.Backoff;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.freeze.FreezeEngineConfig;
import io.quiesce.freeze.GuestRecovery;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.freeze.RecoveryReport;
import io.quiesce.freeze.StaticGuestInventory;
import io.quiesce.journal.FreezeJournal;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.locate.AgentSocketLocator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node helper of one node, assembled, in its start-up order:
 *
 * <ol>
 *   <li>{@link #create}: the engine and the freeze journal; no I/O but the journal directory.
 *   <li>{@link #recoverFromJournal}: the guests this helper's journal says it froze are thawed,
 *       each through its recorded route, with no API call at all.
 *   <li>{@link #startServing}: what needs the API, retried with backoff while the API server is
 *       unreachable: a survey that reports guests frozen by someone else without touching them,
 *       then the informers (Quiesce's VolumeSnapshots, the QuiescedSnapshots assigned to the node,
 *       emergency thaw requests on the node's VirtualMachineInstances), each listed in turn; no
 *       freeze window starts before the survey has ended; then the heartbeat Lease.
 * </ol>
 *
 * The caller serves {@code /healthz} and installs its shutdown hook before step 2. {@link #close()}
 * ends every window (thawing at once), then thaws anything the engine still holds.
 */
public final class NodeHelper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeHelper.class);

  /**
   * The libvirt client, with the agent client's timeouts; it checks the domain's identity on every
   * connection.
   */
  private static final LibvirtOpener LIBVIRT_CLIENT =
      (socket, domain) -> LibvirtAgent.open(socket, domain, QgaSettings.defaults());

  /** How long an idle thread of the helper's window, creation and Event pools stays. */
  static final Duration IDLE_THREAD_KEEP_ALIVE = Duration.ofSeconds(10);

  /** Between attempts to reach the API at start-up. */
  static final Backoff API_BACKOFF = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

  private final KubernetesClient client;
  private final HelperSettings settings;
  private final FreezeEngine engine;
  private final GuestSockets sockets;
  private final JournaledFreezes journal;
  private final ScheduledExecutorService timers;
  private final ExecutorService io;
  private final ExecutorService eventSender;
  private final Duration grace;
  private final CountDownLatch closed = new CountDownLatch(1);

  // guarded by this
  private HeartbeatLease lease;
  private VolumeSnapshotTracker tracker;
  private AssignedSnapshotWatcher watcher;
  private ThawRequestWatcher thawRequests;

  private volatile RecoveryReport journalRecovery = new RecoveryReport(List.of());
  private volatile RecoveryReport survey = new RecoveryReport(List.of());
  private volatile boolean serving;

  private NodeHelper(
      KubernetesClient client,
      HelperSettings settings,
      FreezeEngine engine,
      GuestSockets sockets,
      JournaledFreezes journal) {
    this.client = client;
    this.settings = settings;
    this.engine = engine;
    this.sockets = sockets;
    this.journal = journal;
    this.timers = Executors.newScheduledThreadPool(1, daemon("quiesce-helper-timer"));
    // VolumeSnapshot creation in parallel; Events on their own thread, never in the way of a
    // creation
    this.io = idleThreadsEnd(8, "quiesce-helper-io");
    this.eventSender = idleThreadsEnd(1, "quiesce-helper-events");
    this.grace = settings.freezeTimeoutMax().plus(Duration.ofSeconds(5));
  }

  /**
   * Starts the helper at once, in the order above, returning once it serves (tests; the API is up).
   *
   * @param opener opens an agent connection on a socket path (the QGA client in production); the
   *     libvirt channel uses the libvirt client
   */
  public static NodeHelper start(
      KubernetesClient client,
      HelperSettings settings,
      BiFunction<GuestRef, Path, GuestAgent> opener,
      MeterRegistry registry) {
    return start(client, settings, opener, LIBVIRT_CLIENT, registry);
  }

  /**
   * Starts the helper with its own ways of opening agent connections (fakes in tests).
   *
   * @param qgaOpener opens an agent connection on an agent socket
   * @param libvirtOpener opens an agent connection through a libvirt daemon socket
   */
  public static NodeHelper start(
      KubernetesClient client,
      HelperSettings settings,
      BiFunction<GuestRef, Path, GuestAgent> qgaOpener,
      LibvirtOpener libvirtOpener,
      MeterRegistry registry) {
    NodeHelper helper = create(client, settings, qgaOpener, libvirtOpener, registry);
    helper.recoverFromJournal();
    helper.startServing();
    return helper;
  }

  /** The helper, not started: engine, routes, journal. */
  public static NodeHelper create(
      KubernetesClient client,
      HelperSettings settings,
      BiFunction<GuestRef, Path, GuestAgent> opener,
      MeterRegistry registry) {
    return create(client, settings, opener, LIBVIRT_CLIENT, registry);
  }

  /**
   * The helper, not started.
   *
   * @throws java.io.UncheckedIOException when the journal directory cannot be opened
   */
  public static NodeHelper create(
      KubernetesClient client,
      HelperSettings settings,
      BiFunction<GuestRef, Path, GuestAgent> qgaOpener,
      LibvirtOpener libvirtOpener,
      MeterRegistry registry) {
    AgentSocketLocator agentSockets =
        new AgentSocketLocator(settings.socketTemplates(), settings.socketRoots());
    // the libvirt client reaches sockets longer than a socket address through a short link
    AgentSocketLocator libvirtSockets =
        settings.libvirtSocketRoot() == null
            ? null
            : new AgentSocketLocator(
                List.of(settings.libvirtSocketTemplate()),
                List.of(settings.libvirtSocketRoot()),
                AgentSocketLocator.MAX_LINKED_SOCKET_PATH);
    GuestSockets sockets =
        new GuestSockets(
            client, agentSockets, libvirtSockets, settings.nodeName(), qgaOpener, libvirtOpener);
    FreezeEngineConfig config =
        FreezeEngineConfig.builder()
            .maxConcurrentFreezes(settings.maxFreezesPerNode())
            .maxFreezeTimeout(settings.freezeTimeoutMax())
            .build();
    FreezeEngine engine = FreezeEngine.create(sockets, config, registry);
    sockets.keepRoutesWhile(
        guest ->
            engine.guestsFrozen().contains(guest) || engine.guestsNeedingThaw().contains(guest));
    JournaledFreezes journal = null;
    if (settings.journalDir() != null) {
      List<Path> roots = new ArrayList<>(settings.socketRoots());
      if (settings.libvirtSocketRoot() != null) {
        roots.add(settings.libvirtSocketRoot());
      }
      journal = new JournaledFreezes(FreezeJournal.open(settings.journalDir()), sockets, roots);
      engine.recordFreezesWith(journal);
      sockets.onRerouted(journal::rerouted);
    } else {
      LOG.warn(
          "no freeze journal configured: a helper killed while a guest is frozen cannot be relied on to"
              + " have it thawed by the next one");
    }
    return new NodeHelper(client, settings, engine, sockets, journal);
  }

  /**
   * Thaws the guests the journal says this helper froze, each through the route it recorded; no API
   * call. Those that cannot be reached now stay on the engine's needs-thaw list.
   */
  public RecoveryReport recoverFromJournal() {
    if (journal == null) {
      return journalRecovery;
    }
    JournaledFreezes.Recorded recorded = journal.restoreRoutes();
    if (!recorded.refused().isEmpty()) {
      LOG.error("freeze journal entries not acted on: {}", recorded.refused());
    }
    RecoveryReport report = engine.recoverRecorded(new StaticGuestInventory(recorded.guests()));
    Set<GuestRef> thawed = thawed(report);
    if (!thawed.isEmpty()) {
      LOG.warn(
          "start-up recovery thawed guests a previous helper froze (from its journal): {}", thawed);
    }
    journalRecovery = report;
    return report;
  }

  /**
   * Starts what needs the API, retrying with backoff while the API server cannot be reached;
   * returns true once serving, false when the helper was closed first.
   */
  public boolean startServing() {
    for (int attempt = 1; closed.getCount() > 0; attempt++) {
      try {
        serveOnce();
        return true;
      } catch (RuntimeException e) {
        Duration wait = API_BACKOFF.delayAfter(attempt);
        LOG.warn(
            "cannot start serving (attempt {}): {}; retrying in {} ms",
            attempt,
            e.getMessage(),
            wait.toMillis());
        try {
          if (closed.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
          }
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  /**
   * Surveys the node's guests, then starts the informers one after the other, each listed before
   * the next (the order of main; running them side by side with the survey saved nothing on a
   * loaded machine and one such start stalled unexplained: docs/performance.md, "A lighter helper,
   * third round"). No window is handed to the window pool before the survey has ended and the
   * VolumeSnapshot informer has synced (a freeze during the survey would be reported as someone
   * else's, or refused because the survey holds the guest; a window asks the tracker what a
   * previous helper created): the gate holds whatever the order. Returns once all of it is done.
   */
  private synchronized void serveOnce() {
    if (closed.getCount() == 0) {
      return;
    }
    List<AutoCloseable> started = new ArrayList<>();
    CompletableFuture<Void> surveyEnded = new CompletableFuture<>();
    try {
      // guests frozen by someone else are reported, never thawed: only the journal's are ours
      RecoveryReport found =
          engine.survey(new NodeGuestInventory(client, sockets, settings.nodeName()));
      surveyEnded.complete(null);
      VolumeSnapshotTracker startedTracker = VolumeSnapshotTracker.start(client);
      started.add(startedTracker);
      startedTracker.synced().join();
      CompletableFuture<Void> windowsMayStart =
          CompletableFuture.allOf(surveyEnded, startedTracker.synced());
      FreezeWindowRunner runner =
          new FreezeWindowRunner(
              engine,
              sockets,
              new VolumeSnapshotCreator(client, io),
              startedTracker,
              new FreezeRecordWriter(client),
              new EventRecorder(
                  client,
                  EventRecorder.Reporter.nodeHelper(settings.nodeName()),
                  Clock.systemUTC(),
                  eventSender),
              thawed(journalRecovery),
              settings.defaultChannel(),
              Clock.systemUTC(),
              new FreezeSlotLease(client, settings.namespace()));
      // as many windows at once as the engine has freeze slots; the rest wait in the queue
      ThreadPoolExecutor windows = idleThreadsEnd(settings.maxFreezesPerNode(), "quiesce-window");
      AssignedSnapshotWatcher startedWatcher =
          new AssignedSnapshotWatcher(
              client,
              settings.nodeName(),
              runner,
              windows,
              Executors.newSingleThreadScheduledExecutor(daemon("quiesce-window-retry")),
              windowsMayStart);
      started.add(startedWatcher);
      startedWatcher.synced().join();
      // emergency thaws (kubectl quiesce thaw): Events written before the answer, in their thread
      ThawRequestWatcher startedThawRequests =
          new ThawRequestWatcher(
              client,
              settings.nodeName(),
              engine,
              sockets,
              startedWatcher,
              new EventRecorder(
                  client,
                  EventRecorder.Reporter.nodeHelper(settings.nodeName()),
                  Clock.systemUTC(),
                  Runnable::run),
              grace,
              Executors.newSingleThreadExecutor(daemon("quiesce-thaw-request")));
      started.add(startedThawRequests);
      startedThawRequests.synced().join();
      windowsMayStart.join();
      survey = found;
      tracker = startedTracker;
      watcher = startedWatcher;
      thawRequests = startedThawRequests;
    } catch (RuntimeException e) {
      // the windows never start: the gate stays open only for a start-up that got through
      surveyEnded.completeExceptionally(e);
      for (int i = started.size() - 1; i >= 0; i--) {
        closeQuietly(started.get(i));
      }
      throw e instanceof CompletionException && e.getCause() instanceof RuntimeException cause
          ? cause
          : e;
    }
    lease =
        new HeartbeatLease(
            client, settings.namespace(), settings.nodeName(), Clock.systemUTC(), timers);
    serving = true;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("closing {} after a failed start: {}", closeable, e.getMessage());
    }
  }

  /**
   * What start-up recovery found: the journal's guests, then the survey of the node's other guests.
   */
  public RecoveryReport recovery() {
    return new RecoveryReport(
        Stream.concat(journalRecovery.guests().stream(), survey.guests().stream()).toList());
  }

  /** The freeze engine (its guests, its metrics). */
  public FreezeEngine engine() {
    return engine;
  }

  /** True while the helper serves assigned snapshots (for /readyz). */
  public boolean ready() {
    return serving && closed.getCount() > 0;
  }

  /**
   * Ends every window (each thaws at once and records Shutdown), then shuts the engine down.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    closed.countDown();
    synchronized (this) {
      if (thawRequests != null) {
        thawRequests.close();
      }
      if (watcher != null) {
        watcher.stop(grace);
      }
      engine.shutdown(grace);
      if (tracker != null) {
        tracker.close();
      }
      if (lease != null) {
        lease.close();
      }
    }
    io.shutdown();
    eventSender.shutdown();
    timers.shutdownNow();
  }

  private static Set<GuestRef> thawed(RecoveryReport report) {
    return report.guests().stream()
        .filter(g -> g.action() == RecoveryAction.THAWED)
        .map(GuestRecovery::guest)
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * A pool of at most {@code threads} daemon threads, the rest queued, whose threads end after
   * {@link #IDLE_THREAD_KEEP_ALIVE} without work: a helper idles between snapshot rounds, and a
   * parked thread keeps its stack and malloc arena resident.
   */
  private static ThreadPoolExecutor idleThreadsEnd(int threads, String prefix) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            IDLE_THREAD_KEEP_ALIVE.toMillis(),
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            daemon(prefix));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
