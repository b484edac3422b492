package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaSettings;
import io.quiesce.testkit.libvirt.ChartSecurityContext;
import io.quiesce.testkit.libvirt.LibvirtGuest;
import io.quiesce.testkit.libvirt.RealLibvirtGuest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The agent command line ({@code node-helper.jar agent}, its own JVM) under the chart's container
 * security context, emulated with setpriv, against the REAL libvirt daemon that runs as KubeVirt's
 * {@code qemu} (uid 107) with an owner-only (0700) socket.
 */
@RealLibvirtGuest
class AgentCliSecurityContextRealLibvirtTest {

  @Test
  void withEveryCapabilityDroppedTheConnectIsRefusedTypedBeforeAnyCommand(LibvirtGuest guest)
      throws Exception {
    long mark = guest.daemonLogMark();

    MainProcess.Run freeze =
        MainProcess.in(
            ChartSecurityContext.ALL_DROPPED,
            "agent",
            "freeze",
            "--libvirt-socket",
            guest.daemonSocket().toString(),
            "--domain",
            guest.domain(),
            "--timeout",
            "5s");

    assertThat(freeze.exitCode()).as(freeze.err()).isEqualTo(ExitCode.AGENT_ERROR.code());
    assertThat(freeze.out()).isEmpty();
    assertThat(freeze.err())
        .hasLineCount(1)
        .contains(
            "LibvirtPermissionDenied",
            guest.daemonSocket().toString(),
            "uid 107",
            "mode 0700",
            "CAP_DAC_OVERRIDE");
    assertThat(guest.agentCommandsSince(mark)).as("agent commands sent").isEmpty();
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void withOnlyDacOverrideAddedItFreezesAndThaws(LibvirtGuest guest) throws Exception {
    String socket = guest.daemonSocket().toString();
    try {
      MainProcess.Run freeze =
          MainProcess.in(
              ChartSecurityContext.DAC_OVERRIDE_ONLY,
              "agent",
              "freeze",
              "--libvirt-socket",
              socket,
              "--domain",
              guest.domain(),
              "--timeout",
              "10s");
      assertThat(freeze.exitCode()).as(freeze.err()).isZero();
      assertThat(freeze.out()).startsWith("frozen 1 filesystem(s) in ");
      assertThat(statusOf(guest)).isEqualTo(FreezeState.FROZEN);

      MainProcess.Run thaw =
          MainProcess.in(
              ChartSecurityContext.DAC_OVERRIDE_ONLY,
              "agent",
              "thaw",
              "--libvirt-socket",
              socket,
              "--domain",
              guest.domain(),
              "--timeout",
              "10s");
      assertThat(thaw.exitCode()).as(thaw.err()).isZero();
      assertThat(thaw.out()).startsWith("thawed ");
    } finally {
      guest.ensureThawed(Duration.ofSeconds(10));
    }
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }

  private static FreezeState statusOf(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(QgaSettings.defaults())) {
      return agent.freezeStatus();
    }
  }
}
