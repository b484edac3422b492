package io.quiesce.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.naming.ThawRequest;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.KubeTools;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import io.quiesce.window.GuestSocketDir;
import io.quiesce.window.HelperSettings;
import io.quiesce.window.NodeHelper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl quiesce thaw} end to end: the plugin through the real kubectl, the node helper of
 * the VM's node on the in-JVM API server, and the REAL qemu-guest-agent of the test guest, frozen
 * directly through the agent (as a crashed backup tool would leave it). The guest is verified
 * thawed through {@code guest-fsfreeze-status}.
 */
@RealGuest
@KubeApiTest
class KubectlQuiesceThawRealAgentTest {

  @Test
  void thawAsksTheNodeHelperWhichThawsTheGuestRecordsAnEventAndAnswers(
      GuestVm guest, KubeApiServer server, KubernetesClient client, @TempDir Path dir)
      throws Exception {
    PluginRun kubectl = PluginRun.inNewNamespace(server, "plugin-thaw", dir);
    String ns = kubectl.namespace();
    try (GuestSocketDir sockets = GuestSocketDir.create();
        NodeHelper helper = startHelper(server, guest, sockets, ns)) {
      VmScenario vm = Fixtures.runningVm(ns, "db").create(client);
      sockets.link(vm, guest.agentSocket());
      try (QgaClient agent = new QgaClient(guest.agentSocket())) {
        assertThat(agent.freeze(List.of())).isPositive();
        assertThat(agent.freezeStatus()).isEqualTo(FreezeState.FROZEN);
      }

      KubeTools.Result thaw = kubectl.run("thaw", "db");

      assertThat(thaw.exitCode()).as("%s", thaw).isZero();
      assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
      Map<String, String> annotations =
          client
              .resources(VirtualMachineInstance.class)
              .inNamespace(ns)
              .withName("db")
              .get()
              .getMetadata()
              .getAnnotations();
      String token = annotations.get(ThawRequest.REQUESTED);
      assertThat(token).matches(ThawRequest::isValidToken);
      assertThat(annotations).containsEntry(ThawRequest.DONE, token);
      assertThat(thaw.stdout())
          .contains("emergency thaw requested (token " + token + ")")
          .contains("virtualmachineinstance/db: Thawed: ")
          .contains("node helper on node " + Fixtures.DEFAULT_NODE)
          .contains("(Event EmergencyThaw on the VMI)");
      List<Event> events = client.v1().events().inNamespace(ns).list().getItems();
      assertThat(events)
          .filteredOn(e -> "EmergencyThaw".equals(e.getReason()))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getInvolvedObject().getKind()).isEqualTo("VirtualMachineInstance");
                assertThat(e.getInvolvedObject().getName()).isEqualTo("db");
                assertThat(e.getSource().getHost()).isEqualTo(Fixtures.DEFAULT_NODE);
                assertThat(e.getMessage()).contains("token " + token).contains("Thawed");
              });
      assertThat(helper.engine().guestsFrozen()).isEmpty();
    } finally {
      assertThat(guest.ensureThawed(Duration.ofSeconds(10)))
          .as("the test left the guest frozen")
          .isFalse();
    }
  }

  private static NodeHelper startHelper(
      KubeApiServer server, GuestVm guest, GuestSocketDir sockets, String namespace) {
    HelperSettings settings =
        new HelperSettings(
            Fixtures.DEFAULT_NODE,
            namespace,
            List.of(sockets.root(), guest.agentSocket().getParent()),
            List.of(sockets.template()),
            2,
            Duration.ofSeconds(30),
            null);
    return NodeHelper.start(
        server.newClient(),
        settings,
        (ref, socket) -> new QgaClient(socket),
        new SimpleMeterRegistry());
  }

  private static FreezeState freezeStatus(GuestVm guest) {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      return agent.freezeStatus();
    }
  }
}
