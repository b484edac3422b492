package io.quiesce.journal;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.freeze.GuestRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One freeze this helper is about to make (or made and has not seen thawed): enough to thaw the
 * guest with no API server, the way the freeze went.
 *
 * @param guest the guest (its VirtualMachineInstance's namespace and name)
 * @param method {@code QGA} (agent socket) or {@code LIBVIRT} (the launcher pod's libvirt daemon)
 * @param socket the agent socket, or the libvirt daemon socket, as the freeze used it
 * @param domain the libvirt domain; null for {@code QGA}
 * @param snapshot {@code namespace/name} of the QuiescedSnapshot the freeze is for; null when
 *     unknown
 * @param deadline when the freeze's watchdog thaws at the latest
 * @param domainUuid the UUID the libvirt domain must have (the VMI's firmware UUID); null when none
 *     is known
 */
public record JournalEntry(
    GuestRef guest,
    FreezeMethod method,
    Path socket,
    String domain,
    String snapshot,
    Instant deadline,
    UUID domainUuid) {

  /** An entry with no domain UUID to check. */
  public JournalEntry(
      GuestRef guest,
      FreezeMethod method,
      Path socket,
      String domain,
      String snapshot,
      Instant deadline) {
    this(guest, method, socket, domain, snapshot, deadline, null);
  }

  public JournalEntry {
    Objects.requireNonNull(guest, "guest");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(deadline, "deadline");
    if (method != FreezeMethod.QGA && method != FreezeMethod.LIBVIRT) {
      throw new IllegalArgumentException(
          "a journal entry records a qga or libvirt route, not " + method);
    }
    if ((method == FreezeMethod.LIBVIRT) != (domain != null)) {
      throw new IllegalArgumentException("a libvirt route needs a domain, a qga route has none");
    }
    if (domainUuid != null && domain == null) {
      throw new IllegalArgumentException("a domain UUID belongs to a libvirt route");
    }
    if (!socket.isAbsolute()) {
      throw new IllegalArgumentException("socket path must be absolute: " + socket);
    }
  }

  /** The same entry with another route (the guest's pod changed while a thaw was pending). */
  public JournalEntry withRoute(
      FreezeMethod newMethod, Path newSocket, String newDomain, UUID newDomainUuid) {
    return new JournalEntry(
        guest, newMethod, newSocket, newDomain, snapshot, deadline, newDomainUuid);
  }
}
