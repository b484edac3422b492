package io.quiesce.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.agent.FreezeState;
import io.quiesce.agent.GuestAgent;
import io.quiesce.agent.QgaSettings;
import io.quiesce.testkit.libvirt.LibvirtGuest;
import io.quiesce.testkit.libvirt.RealLibvirtGuest;
import org.junit.jupiter.api.Test;

/**
 * {@code node-helper.jar agent|recover --libvirt-socket --domain} in its own JVM against a real
 * daemon.
 */
@RealLibvirtGuest
class AgentCliRealLibvirtTest {

  private static FreezeState statusOf(LibvirtGuest guest) {
    try (GuestAgent agent = guest.agent(QgaSettings.defaults())) {
      return agent.freezeStatus();
    }
  }

  @Test
  void freezeStatusAndRecoverThroughTheDaemon(LibvirtGuest guest) throws Exception {
    String socket = guest.daemonSocket().toString();

    MainProcess.Run freeze =
        MainProcess.main("agent", "freeze", "--libvirt-socket", socket, "--domain", guest.domain());
    assertThat(freeze.exitCode()).as(freeze.err()).isZero();
    assertThat(freeze.out()).startsWith("frozen 1 filesystem(s) in ");
    try {
      MainProcess.Run status =
          MainProcess.main(
              "agent", "status", "--libvirt-socket=" + socket, "--domain", guest.domain());
      assertThat(status.out().strip()).isEqualTo("frozen");

      MainProcess.Run recover =
          MainProcess.main(
              "recover",
              "--libvirt-socket",
              socket,
              "--domain",
              guest.domain(),
              "--libvirt-uri",
              "qemu:///session");
      assertThat(recover.exitCode()).as(recover.err()).isZero();
      assertThat(recover.out()).startsWith(guest.domain() + " via " + socket + ": thawed");
    } finally {
      guest.ensureThawed(java.time.Duration.ofSeconds(10));
    }
    assertThat(statusOf(guest)).isEqualTo(FreezeState.THAWED);
  }

  @Test
  void fsinfoListsTheGuestsFilesystems(LibvirtGuest guest) throws Exception {
    MainProcess.Run fsinfo =
        MainProcess.main(
            "agent",
            "fsinfo",
            "--libvirt-socket",
            guest.daemonSocket().toString(),
            "--domain",
            guest.domain());
    assertThat(fsinfo.exitCode()).as(fsinfo.err()).isZero();
    assertThat(fsinfo.out()).containsPattern("/data\\s+ext4\\s+vda");
  }

  @Test
  void aDomainWithoutAgentIsAnAgentErrorInOneLine(LibvirtGuest guest) throws Exception {
    MainProcess.Run ping =
        MainProcess.main(
            "agent",
            "freeze",
            "--libvirt-socket",
            guest.daemonSocket().toString(),
            "--domain",
            guest.noAgentDomain(),
            "--timeout",
            "3s");
    assertThat(ping.exitCode()).isEqualTo(ExitCode.AGENT_ERROR.code());
    assertThat(ping.out()).isEmpty();
    assertThat(ping.err()).hasLineCount(1).contains("AgentUnavailable", "not connected");
  }
}
