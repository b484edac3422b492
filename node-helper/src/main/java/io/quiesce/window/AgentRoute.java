package io.quiesce.window;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.freeze.GuestRef;
import io.quiesce.libvirt.LibvirtDomain;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the helper reaches one guest's agent: straight over its agent socket ({@link
 * FreezeMethod#QGA}), or through the libvirt daemon of its virt-launcher pod ({@link
 * FreezeMethod#LIBVIRT}, which needs the libvirt domain name).
 *
 * @param guest the guest
 * @param method {@code QGA} or {@code LIBVIRT}
 * @param socket the agent socket, or the libvirt daemon's socket
 * @param domain the libvirt domain ({@code <namespace>_<vmi>} under KubeVirt, with the VMI's
 *     firmware UUID when it has one); null for {@code QGA}
 */
record AgentRoute(GuestRef guest, FreezeMethod method, Path socket, LibvirtDomain domain) {

  AgentRoute {
    Objects.requireNonNull(guest, "guest");
    Objects.requireNonNull(socket, "socket");
    if (method != FreezeMethod.QGA && method != FreezeMethod.LIBVIRT) {
      throw new IllegalArgumentException(
          "the node helper reaches agents by qga or libvirt, not " + method);
    }
    if ((method == FreezeMethod.LIBVIRT) != (domain != null)) {
      throw new IllegalArgumentException("a libvirt route needs a domain, a qga route has none");
    }
  }

  @Override
  public String toString() {
    return method == FreezeMethod.QGA
        ? "qga at " + socket
        : "libvirt domain " + domain + " at " + socket;
  }
}
