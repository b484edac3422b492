package io.quiesce.window;

import io.quiesce.agent.AgentException;
import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.GuestAgent;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.libvirt.LibvirtPermissionDeniedException;
import io.quiesce.status.Reason;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The probe of one channel before a freeze: open it, which for libvirt is connect, list the auth
 * types, open the connection and look the domain up, then {@code guest-ping} the agent through it,
 * and close. Every step is bounded by the opener's timeouts (for qga, a socket that libvirt holds
 * is answered by nobody: the handshake runs out after its sync timeout). A failure becomes the
 * agent error's typed reason, with what to do about it for the reasons an operator can fix.
 */
final class ChannelProbe {
  /**
   * The chart setting that lets the helper connect to a non-root virt-launcher's libvirt socket.
   */
  static final String PERMISSION_FIX =
      "give the node helper CAP_DAC_OVERRIDE, the chart's default "
          + "(nodeHelper.securityContext.capabilities.add: [DAC_OVERRIDE]; on SELinux nodes also "
          + "nodeHelper.securityContext.seLinuxOptions.type: spc_t), or use channel kubevirt-api";

  private ChannelProbe() {}

  /**
   * Opens the channel with {@code open}, pings the agent and closes; never throws for an agent
   * failure.
   */
  static ChannelChoice.ProbeResult ping(FreezeMethod channel, Supplier<GuestAgent> open) {
    long start = System.nanoTime();
    try (GuestAgent agent = open.get()) {
      agent.ping();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      return ChannelChoice.ProbeResult.ready(
          "the guest agent answered guest-ping through " + via(channel) + " in " + ms + " ms");
    } catch (LibvirtPermissionDeniedException e) {
      return new ChannelChoice.ProbeResult(e.reason(), e.getMessage() + ": " + PERMISSION_FIX);
    } catch (AgentNotRespondingException e) {
      boolean held =
          channel == FreezeMethod.QGA && e.phase() == AgentNotRespondingException.Phase.SYNC;
      return new ChannelChoice.ProbeResult(
          e.reason(),
          e.getMessage()
              + (held
                  ? " (libvirt may hold this agent socket: QEMU serves one client at a time)"
                  : ""));
    } catch (AgentException e) {
      return new ChannelChoice.ProbeResult(e.reason(), e.getMessage());
    } catch (IllegalArgumentException e) {
      // e.g. a name libvirt cannot take as a domain: nothing reached the guest
      return new ChannelChoice.ProbeResult(
          Reason.CHANNEL_UNUSABLE.wire(), String.valueOf(e.getMessage()));
    }
  }

  private static String via(FreezeMethod channel) {
    return channel == FreezeMethod.LIBVIRT
        ? "libvirt (connected, authenticated, domain found)"
        : "its socket";
  }
}
