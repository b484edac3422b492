package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.agent.FakeQgaServer;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's fake agent answers the product's agent client as the real agent does. */
class FakeAgentFarmTest {

  @Test
  void servesTheFreezeConversationOfTheRealClient(@TempDir Path dir) throws Exception {
    AtomicBoolean frozen = new AtomicBoolean();
    try (FakeQgaServer server = FakeQgaServer.start(dir, c -> FakeAgentFarm.serve(c, frozen));
        QgaClient client = new QgaClient(server.socketPath())) {
      client.ping();
      assertThat(client.info().version()).isEqualTo("fake");
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
      assertThat(client.freeze(List.of())).isEqualTo(1);
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.FROZEN);
      assertThat(client.thaw()).isEqualTo(1);
      assertThat(client.freezeStatus()).isEqualTo(FreezeState.THAWED);
      assertThat(client.filesystems()).isEmpty();
    }
  }
}
