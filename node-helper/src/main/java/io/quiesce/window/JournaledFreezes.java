package io.quiesce.window;

import io.quiesce.freeze.FreezeRecorder;
import io.quiesce.freeze.GuestRef;
import io.quiesce.journal.FreezeJournal;
import io.quiesce.journal.JournalEntry;
import io.quiesce.libvirt.LibvirtDomain;
import io.quiesce.runtime.logging.ResourceLogContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The node helper's freezes, written to its {@link FreezeJournal}: each with the route the freeze
 * uses (from {@link GuestSockets}), before the freeze command goes out; removed once the thaw is
 * confirmed; rewritten when a pending thaw finds the guest behind another socket. At start-up it
 * gives back the recorded guests and their routes, checked to stay under the allowed socket roots.
 */
final class JournaledFreezes implements FreezeRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(JournaledFreezes.class);

  private final FreezeJournal journal;
  private final GuestSockets sockets;
  private final List<Path> allowedRoots;

  /**
   * @param allowedRoots the roots any recorded socket must be under (the agent and libvirt roots)
   */
  JournaledFreezes(FreezeJournal journal, GuestSockets sockets, List<Path> allowedRoots) {
    this.journal = journal;
    this.sockets = sockets;
    this.allowedRoots = allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  @Override
  public void freezing(GuestRef guest, Instant deadline) {
    AgentRoute route = sockets.route(guest);
    if (route == null) {
      throw new IllegalStateException("no route of " + guest + " is known to record");
    }
    journal.record(
        new JournalEntry(
            guest,
            route.method(),
            route.socket(),
            domainName(route),
            snapshotInContext(),
            deadline,
            route.domain() == null ? null : route.domain().uuid()));
  }

  @Override
  public void forget(GuestRef guest) {
    journal.remove(guest);
  }

  /** A pending thaw found the guest behind another socket on this node: the journal follows. */
  void rerouted(AgentRoute route) {
    JournalEntry entry = journal.find(route.guest());
    if (entry == null) {
      return;
    }
    try {
      journal.record(
          entry.withRoute(
              route.method(),
              route.socket(),
              domainName(route),
              route.domain() == null ? null : route.domain().uuid()));
    } catch (RuntimeException e) {
      LOG.warn("journal entry of {} keeps its old route: {}", route.guest(), e.getMessage());
    }
  }

  /** The journal's contents at start-up, their routes handed to {@link GuestSockets}. */
  record Recorded(List<JournalEntry> entries, List<String> refused) {
    List<GuestRef> guests() {
      return entries.stream().map(JournalEntry::guest).toList();
    }
  }

  /**
   * Reads the journal and restores each entry's route. An entry whose socket is not under an
   * allowed root is refused (left in place, logged): the journal names paths the helper connects
   * to.
   */
  Recorded restoreRoutes() {
    FreezeJournal.Contents contents = journal.load();
    List<JournalEntry> usable = new ArrayList<>();
    List<String> refused = new ArrayList<>(contents.unreadable());
    for (JournalEntry entry : contents.entries()) {
      if (!underAllowedRoot(entry.socket())) {
        LOG.error(
            "freeze journal entry of {} names socket {} outside the allowed roots {}; not acted on",
            entry.guest(),
            entry.socket(),
            allowedRoots);
        refused.add(entry.guest() + ": socket outside the allowed roots");
        continue;
      }
      // the recorded UUID too: a thaw from the journal checks the daemon's domain as the freeze did
      sockets.restore(
          new AgentRoute(
              entry.guest(),
              entry.method(),
              entry.socket(),
              entry.domain() == null
                  ? null
                  : new LibvirtDomain(entry.domain(), entry.domainUuid())));
      usable.add(entry);
    }
    return new Recorded(usable, refused);
  }

  private boolean underAllowedRoot(Path socket) {
    Path normal = socket.normalize();
    return allowedRoots.stream().anyMatch(root -> normal.startsWith(root) && !normal.equals(root));
  }

  /** The snapshot the window thread works on (its log context), for people reading the journal. */
  private static String snapshotInContext() {
    String namespace = MDC.get(ResourceLogContext.NAMESPACE);
    String name = MDC.get(ResourceLogContext.NAME);
    return namespace == null || name == null ? null : namespace + "/" + name;
  }

  private static String domainName(AgentRoute route) {
    return route.domain() == null ? null : route.domain().name();
  }
}
