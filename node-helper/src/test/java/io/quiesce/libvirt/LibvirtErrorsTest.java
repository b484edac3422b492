package io.quiesce.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.agent.AgentCommandFailedException;
import io.quiesce.agent.AgentCommandUnavailableException;
import io.quiesce.agent.AgentNotRespondingException;
import io.quiesce.agent.AgentUnavailableException;
import io.quiesce.agent.FreezeFailedException;
import io.quiesce.agent.FreezeHoldLimitExceededException;
import io.quiesce.agent.QgaClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** libvirt's errors as measured against libvirt 9.0 map to the channel's typed failures. */
class LibvirtErrorsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private static Exception map(String command, int code, String message) {
    return LibvirtErrors.toException(command, new LibvirtError(code, 10, message), TIMEOUT);
  }

  @Test
  void anAgentThatIsNotConnectedIsUnavailable() {
    assertThat(
            map(
                QgaClient.FREEZE,
                86,
                "Guest agent is not responding: QEMU guest agent is not connected"))
        .isInstanceOf(AgentUnavailableException.class)
        .hasMessageContaining("not connected");
  }

  @Test
  void anAgentThatDidNotAnswerLibvirtInTimeIsNotResponding() {
    assertThat(
            map(
                QgaClient.STATUS,
                86,
                "Guest agent is not responding: Guest agent not available for now"))
        .isInstanceOfSatisfying(
            AgentNotRespondingException.class,
            e -> {
              assertThat(e.phase()).isEqualTo(AgentNotRespondingException.Phase.COMMAND);
              assertThat(e.timeout()).isEqualTo(TIMEOUT);
            });
    assertThat(
            map(QgaClient.THAW, 68, "Timed out during operation: cannot acquire state change lock"))
        .isInstanceOf(AgentNotRespondingException.class);
  }

  @Test
  void theAgentsOwnErrorsKeepTheirQgaMeaning() {
    assertThat(
            map(
                QgaClient.FREEZE,
                1,
                "internal error: unable to execute QEMU agent command 'guest-fsfreeze-freeze': "
                    + "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state"))
        .isInstanceOfSatisfying(
            AgentCommandUnavailableException.class,
            e -> assertThat(e.reason()).isEqualTo("CommandDisabled"));
    assertThat(
            map(
                QgaClient.FREEZE,
                1,
                "internal error: unable to execute QEMU agent command 'guest-fsfreeze-freeze': "
                    + "failed to freeze /data: Device or resource busy"))
        .isInstanceOf(FreezeFailedException.class)
        .hasMessageContaining("Device or resource busy");
    assertThat(
            map(
                QgaClient.THAW,
                1,
                "internal error: unable to execute QEMU agent command 'guest-fsfreeze-thaw': "
                    + "fsfreeze is limited up to 10 seconds"))
        .isInstanceOf(FreezeHoldLimitExceededException.class);
  }

  @Test
  void refusedOperationsAndMissingDomainsAreTyped() {
    assertThat(
            map(
                QgaClient.THAW,
                74,
                "argument unsupported: specifying mountpoints is not supported"))
        .isInstanceOfSatisfying(
            AgentCommandUnavailableException.class,
            e -> assertThat(e.reason()).isEqualTo("VIR_ERR_74"));
    assertThat(map(QgaClient.PING, 42, "Domain not found: no domain with matching name 'x'"))
        .isInstanceOf(AgentUnavailableException.class);
    assertThat(map(QgaClient.FREEZE, 55, "Requested operation is not valid: domain is not running"))
        .isInstanceOf(AgentUnavailableException.class);
    assertThat(map(QgaClient.PING, 38, "some other failure"))
        .isExactlyInstanceOf(AgentCommandFailedException.class);
  }
}
