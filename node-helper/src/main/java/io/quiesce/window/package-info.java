/**
 * The node helper's side of a QuiescedSnapshot (issue #4 contract, "Node helper").
 *
 * <p>{@link io.quiesce.window.NodeHelper} assembles it: start-up recovery of the guests its freeze
 * journal says it froze (no API needed), then a heartbeat Lease {@code quiesce-helper-<node>}, a
 * survey that reports guests frozen by others without touching them, and a watcher of the
 * QuiescedSnapshots labelled {@code quiesce.io/node=<node>} that runs each runnable one
 * (InProgress, no {@code status.freeze}, not deleting) at most once, on as many threads as the
 * node's freeze cap; and per snapshot a freeze window: socket from the VMI's launcher pod on this
 * node, one freeze, every planned VolumeSnapshot created in parallel, a wait on watch events for
 * every {@code status.creationTime} (never {@code readyToUse}) bounded by the freeze deadline,
 * thaw, and {@code status.freeze} written once by a JSON merge patch to {@code /status} that
 * carries nothing else.
 *
 * <p>Outcomes ({@code status.freeze.reason} / {@code thawedBy}): {@code Frozen}/{@code Cut}; {@code
 * VolumeSnapshotFailed}/{@code Error}; {@code QuiesceTimeout}/{@code Watchdog} (the engine's
 * watchdog thaws at the deadline; the window waits a little past it so that the record names who
 * really thawed); {@code SnapshotDeleted}/{@code Deletion}; {@code HelperShutdown}/{@code Shutdown}
 * (SIGTERM); {@code AgentSocketNotFound} and {@code FreezeFailed} with nothing frozen (BestEffort
 * then creates the VolumeSnapshots unfrozen, Required creates none).
 *
 * <p>A helper killed inside a window: the next helper's start-up recovery thaws the guest from the
 * journal (see {@code docs/recovery.md}). When it then finds that snapshot's VolumeSnapshots
 * already created by the dead helper (and either the guest was found frozen or a cut already
 * happened), it does not freeze again: it cannot show that those cuts came while the guest was
 * frozen, so it records {@code HelperRestarted} with {@code thawedBy: Recovery} and no window, and
 * the operator treats the snapshot as not filesystem-consistent. VolumeSnapshots that exist but are
 * not cut yet, with the guest found thawed, are reused inside a fresh window.
 */
package io.quiesce.window;
