package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaSettings;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.freeze.FreezeEngineConfig;
import io.quiesce.freeze.GuestRecovery;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.freeze.RecoveryReport;
import io.quiesce.libvirt.LibvirtAgent;
import io.quiesce.locate.AgentSocketLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The node helper of one node, assembled: heartbeat Lease, start-up recovery of guests left frozen,
 * the watcher of the QuiescedSnapshots assigned to the node and their freeze windows. {@link #close()}
 * ends every window (thawing at once), then thaws anything the engine still holds.
 */
public final class NodeHelper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHelper.class);
    /** The libvirt client, with the agent client's timeouts. */
    private static final LibvirtOpener LIBVIRT_CLIENT =
            (socket, domain) -> LibvirtAgent.open(socket, domain, QgaSettings.defaults());

    private final FreezeEngine engine;
    private final HeartbeatLease lease;
    private final VolumeSnapshotTracker tracker;
    private final AssignedSnapshotWatcher watcher;
    private final RecoveryReport recovery;
    private final List<ExecutorService> pools;
    private final ScheduledExecutorService timers;
    private final Duration grace;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NodeHelper(FreezeEngine engine, HeartbeatLease lease, VolumeSnapshotTracker tracker,
                       AssignedSnapshotWatcher watcher, RecoveryReport recovery, List<ExecutorService> pools,
                       ScheduledExecutorService timers, Duration grace) {
        this.engine = engine;
        this.lease = lease;
        this.tracker = tracker;
        this.watcher = watcher;
        this.recovery = recovery;
        this.pools = pools;
        this.timers = timers;
        this.grace = grace;
    }

    /**
     * Starts the helper: Lease first (the operator then knows the node is served), recovery of the
     * guests on this node before any new freeze, then the watcher.
     *
     * @param opener opens an agent connection on a socket path (the QGA client in production); the
     *               libvirt channel uses the libvirt client
     */
    public static NodeHelper start(KubernetesClient client, HelperSettings settings,
                                   BiFunction<GuestRef, Path, GuestAgent> opener, MeterRegistry registry) {
        return start(client, settings, opener, LIBVIRT_CLIENT, registry);
    }

    /**
     * Starts the helper with its own ways of opening agent connections (fakes in tests).
     *
     * @param qgaOpener     opens an agent connection on an agent socket
     * @param libvirtOpener opens an agent connection through a libvirt daemon socket
     */
    public static NodeHelper start(KubernetesClient client, HelperSettings settings,
                                   BiFunction<GuestRef, Path, GuestAgent> qgaOpener, LibvirtOpener libvirtOpener,
                                   MeterRegistry registry) {
        AgentSocketLocator agentSockets = new AgentSocketLocator(settings.socketTemplates(), settings.socketRoots());
        // the libvirt client reaches sockets longer than a socket address through a short link
        AgentSocketLocator libvirtSockets = settings.libvirtSocketRoot() == null ? null
                : new AgentSocketLocator(List.of(settings.libvirtSocketTemplate()), List.of(settings.libvirtSocketRoot()),
                        AgentSocketLocator.MAX_LINKED_SOCKET_PATH);
        GuestSockets sockets = new GuestSockets(client, agentSockets, libvirtSockets, settings.nodeName(), qgaOpener,
                libvirtOpener);
        FreezeEngineConfig config = FreezeEngineConfig.builder()
                .maxConcurrentFreezes(settings.maxFreezesPerNode())
                .maxFreezeTimeout(settings.freezeTimeoutMax())
                .build();
        FreezeEngine engine = FreezeEngine.create(sockets, config, registry);
        sockets.keepRoutesWhile(guest -> engine.guestsFrozen().contains(guest)
                || engine.guestsNeedingThaw().contains(guest));
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, daemon("quiesce-helper-timer"));
        // VolumeSnapshot creation in parallel; Events on their own thread, never in the way of a creation
        ExecutorService io = Executors.newFixedThreadPool(8, daemon("quiesce-helper-io"));
        ExecutorService eventSender = Executors.newSingleThreadExecutor(daemon("quiesce-helper-events"));
        HeartbeatLease lease = new HeartbeatLease(client, settings.namespace(), settings.nodeName(),
                Clock.systemUTC(), timers);

        RecoveryReport recovery = engine.recover(new NodeGuestInventory(client, sockets, settings.nodeName()));
        Set<GuestRef> thawed = recovery.guests().stream().filter(g -> g.action() == RecoveryAction.THAWED)
                .map(GuestRecovery::guest).collect(Collectors.toUnmodifiableSet());
        if (!thawed.isEmpty()) {
            LOG.warn("start-up recovery thawed guests left frozen by a previous helper: {}", thawed);
        }

        VolumeSnapshotTracker tracker = VolumeSnapshotTracker.start(client);
        FreezeWindowRunner runner = new FreezeWindowRunner(engine, sockets, new VolumeSnapshotCreator(client, io),
                tracker, new FreezeRecordWriter(client), new SnapshotEvents(client, settings.nodeName(), eventSender), thawed,
                settings.defaultChannel(), Clock.systemUTC(), new FreezeSlotLease(client, settings.namespace()));
        // as many windows at once as the engine has freeze slots; the rest wait in the queue
        ThreadPoolExecutor windows = new ThreadPoolExecutor(settings.maxFreezesPerNode(), settings.maxFreezesPerNode(),
                0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), daemon("quiesce-window"));
        AssignedSnapshotWatcher watcher = new AssignedSnapshotWatcher(client, settings.nodeName(), runner, windows,
                Executors.newSingleThreadScheduledExecutor(daemon("quiesce-window-retry")));
        Duration grace = settings.freezeTimeoutMax().plus(Duration.ofSeconds(5));
        return new NodeHelper(engine, lease, tracker, watcher, recovery, List.of(io, eventSender), timers, grace);
    }

    /** What start-up recovery found. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** The freeze engine (its guests, its metrics). */
    public FreezeEngine engine() {
        return engine;
    }

    /** True while the helper serves (for /readyz). */
    public boolean ready() {
        return !closed.get();
    }

    /** Ends every window (each thaws at once and records Shutdown), then shuts the engine down. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watcher.stop(grace);
        engine.shutdown(grace);
        tracker.close();
        lease.close();
        pools.forEach(ExecutorService::shutdown);
        timers.shutdownNow();
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
