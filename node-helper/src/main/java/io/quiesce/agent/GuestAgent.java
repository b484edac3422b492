package io.quiesce.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/**
 * A connection to one guest's agent. Every call has a timeout and ends either with an answer or
 * with an {@link AgentException} subclass the caller can act on; no call blocks forever.
 * Implementations: {@code QgaClient} (QGA protocol straight over the agent's unix socket) and
 * {@code io.quiesce.libvirt.LibvirtAgent} (through the libvirt daemon that holds the agent socket).
 * Not thread-safe: one caller at a time (the freeze engine's per-VM lock).
 */
public interface GuestAgent extends AutoCloseable {

  /** {@code guest-ping}. */
  void ping();

  /** {@code guest-info}: agent version and the commands it supports and has enabled. */
  GuestInfo info();

  /**
   * {@code guest-get-osinfo}; channels that cannot relay it keep this default, which reports it as
   * not available (as an agent too old to know it does).
   */
  default GuestOsInfo osInfo() {
    throw new AgentCommandUnavailableException(
        QgaClient.OSINFO, "CommandNotFound", "this channel does not relay " + QgaClient.OSINFO);
  }

  /**
   * Any other agent command, e.g. {@code guest-exec} (see {@link GuestExec}): its {@code return}
   * value, with the channel's framing, timeouts and typed failures. Channels that cannot relay
   * arbitrary commands keep this default, which reports the command as not available.
   */
  default JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
    throw new AgentCommandUnavailableException(
        command, "CommandNotFound", "this channel does not relay " + command);
  }

  /** {@code guest-fsfreeze-status}. */
  FreezeState freezeStatus();

  /**
   * {@code guest-fsfreeze-freeze}, or {@code guest-fsfreeze-freeze-list} when {@code mountpoints}
   * is not empty.
   *
   * @return the number of filesystems frozen (0 means nothing was frozen, nothing to thaw)
   */
  int freeze(List<String> mountpoints);

  /**
   * {@code guest-fsfreeze-thaw}.
   *
   * @return the number of filesystems thawed
   */
  int thaw();

  /** {@code guest-get-fsinfo}. */
  List<GuestFilesystem> filesystems();

  /** Closes the channel; never throws. */
  @Override
  void close();
}
