package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.naming.ThawRequest;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Emergency thaw requests ({@code quiesce.io/thaw-requested} on a VMI, what {@code kubectl quiesce
 * thaw} writes) answered by the node helper against the REAL qemu-guest-agent in the test guest:
 * the guest is frozen (by the helper's own snapshot window with a long deadline, or directly
 * through the agent), the request is written, and the guest is verified thawed through {@code
 * guest-fsfreeze-status}, with the Event and the answer. Each test leaves the guest thawed.
 */
@RealGuest
@KubeApiTest
class EmergencyThawRealAgentTest {
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(40);

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private GuestSocketDir sockets;

  @TempDir Path journalDir;

  @BeforeEach
  void socketRoot() {
    sockets = GuestSocketDir.create();
  }

  @AfterEach
  void closeAll(GuestVm guest) throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    sockets.close();
    assertThat(guest.ensureThawed(Duration.ofSeconds(10)))
        .as("the test left the guest frozen")
        .isFalse();
  }

  @Test
  void aRequestEndsTheHelpersOwnWindowThawsTheGuestRecordsAndAnswers(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("emergency");
    VmScenario vm = linkedVm(client, ns, "db", guest);
    // no CSI snapshotter: nothing is ever cut, so the window would hold the guest 30 s
    QuiescedSnapshot qsnap =
        AssignedSnapshots.assign(client, vm, "db-snap", QuiesceMode.Required, "30s", false);
    NodeHelper helper = startHelper(server, guest, ns);
    // the window's Frozen Event comes after the agent's freeze reply (guestsFrozen() already names
    // a guest whose freeze command is still in flight: a request then ends a freeze, not a window)
    await("the guest frozen by the helper's window")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                client.v1().events().inNamespace(ns).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "Frozen".equals(e.getReason())
                                && "db-snap".equals(e.getInvolvedObject().getName())));
    Instant requested = Instant.now();

    String token = ThawRequest.newToken(requested);
    request(client, ns, "db", token);
    String result = awaitAnswer(client, ns, "db", token);

    assertThat(Duration.between(requested, Instant.now()))
        .as("answered well before the window's 30 s deadline")
        .isLessThan(Duration.ofSeconds(20));
    assertThat(result)
        .startsWith("Thawed:")
        .contains("node helper on node " + Fixtures.DEFAULT_NODE);
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    assertThat(helper.engine().guestsFrozen()).isEmpty();
    assertThat(helper.engine().guestsNeedingThaw()).isEmpty();
    assertThat(thawEvents(client, ns, "db"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Normal");
              assertThat(e.getMessage())
                  .contains("token " + token)
                  .contains("node helper on node " + Fixtures.DEFAULT_NODE)
                  .contains("1 freeze window(s) of ours ended");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("VirtualMachineInstance");
            });
    // the window recorded once, as ended by the emergency thaw: never called consistent
    FreezeRecord record =
        await("status.freeze of db-snap")
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  QuiescedSnapshot live = AssignedSnapshots.get(client, qsnap);
                  return live.getStatus() == null ? null : live.getStatus().getFreeze();
                },
                r -> r != null);
    assertThat(record.getThawedBy()).isEqualTo(ThawTrigger.Emergency);
    assertThat(record.getReason()).isEqualTo("EmergencyThaw");
    assertThat(record.getFilesystemsFrozen()).isEqualTo(1);
  }

  @Test
  void aGuestFrozenByOthersIsThawedAndTheSameTokenAgainIsNoRequest(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("frozen-by-other");
    linkedVm(client, ns, "db", guest);
    startHelper(server, guest, ns);
    freezeDirectly(guest);

    String token = ThawRequest.newToken(Instant.now());
    request(client, ns, "db", token);
    assertThat(awaitAnswer(client, ns, "db", token)).startsWith("Thawed:");
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);

    // frozen again behind the helper's back; the same token written again (and another change to
    // the VMI) is no request: the guest stays frozen, no second Event
    freezeDirectly(guest);
    request(client, ns, "db", token);
    patchAnnotation(client, ns, "db", "example.com/touched", "yes");
    await("the guest stays frozen")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> freezeStatus(guest) == FreezeState.FROZEN);
    assertThat(thawEvents(client, ns, "db"))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));

    // an invalid token: an Event saying so, no answer, nothing thawed
    patchAnnotation(client, ns, "db", ThawRequest.REQUESTED, "Not A Token; rm -rf /");
    await("the refusal's Event")
        .atMost(ANSWER_TIMEOUT)
        .until(() -> !events(client, ns, "db", "ThawRequestInvalid").isEmpty());
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.FROZEN);
    assertThat(vmi(client, ns, "db").getMetadata().getAnnotations())
        .containsEntry(ThawRequest.DONE, token);

    // a new token thaws, with an Event of its own (the first one's audit stays)
    String next = ThawRequest.newToken(Instant.now());
    request(client, ns, "db", next);
    assertThat(awaitAnswer(client, ns, "db", next)).startsWith("Thawed:");
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.THAWED);
    assertThat(thawEvents(client, ns, "db"))
        .extracting(Event::getMessage)
        .hasSize(2)
        .anySatisfy(m -> assertThat(m).contains("token " + token))
        .anySatisfy(m -> assertThat(m).contains("token " + next));
  }

  @Test
  void aRequestOnAVmiOfAnotherNodeIsIgnored(
      GuestVm guest, KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("other-node");
    // on node02 by label and status; and one labelled for this node whose status says node02 (it
    // moved): neither is this helper's
    Fixtures.runningVm(ns, "far").onNode("node02").create(client);
    VmScenario moved = linkedVm(client, ns, "moved", guest);
    VirtualMachineInstance movedVmi = moved.vmi().orElseThrow();
    client
        .resources(VirtualMachineInstance.class)
        .inNamespace(ns)
        .withName("moved")
        .edit(
            v -> {
              v.getStatus().setNodeName("node02");
              return v;
            });
    assertThat(movedVmi.getMetadata().getLabels())
        .containsEntry(NodeGuestInventory.NODE_LABEL, Fixtures.DEFAULT_NODE);
    linkedVm(client, ns, "db", guest);
    startHelper(server, guest, ns);
    freezeDirectly(guest);

    request(client, ns, "far", ThawRequest.newToken(Instant.now()));
    request(client, ns, "moved", ThawRequest.newToken(Instant.now()));
    // the helper is live: the request on its own node's VMI (after the others) is answered
    String token = ThawRequest.newToken(Instant.now());
    request(client, ns, "db", token);
    assertThat(awaitAnswer(client, ns, "db", token)).startsWith("Thawed:");

    for (String other : List.of("far", "moved")) {
      assertThat(vmi(client, ns, other).getMetadata().getAnnotations())
          .as(other)
          .doesNotContainKey(ThawRequest.DONE);
      assertThat(thawEvents(client, ns, other)).as(other).isEmpty();
    }
  }

  private VmScenario linkedVm(KubernetesClient client, String ns, String name, GuestVm guest) {
    VmScenario vm = Fixtures.runningVm(ns, name).create(client);
    sockets.link(vm, guest.agentSocket());
    return vm;
  }

  private NodeHelper startHelper(KubeApiServer server, GuestVm guest, String leaseNamespace) {
    HelperSettings settings =
        new HelperSettings(
                Fixtures.DEFAULT_NODE,
                leaseNamespace,
                List.of(sockets.root(), guest.agentSocket().getParent()),
                List.of(sockets.template()),
                4,
                Duration.ofSeconds(30),
                null)
            .withJournal(journalDir);
    NodeHelper helper =
        NodeHelper.start(
            server.newClient(),
            settings,
            (ref, socket) -> new QgaClient(socket),
            new SimpleMeterRegistry());
    cleanup.add(helper);
    return helper;
  }

  static void request(KubernetesClient client, String ns, String name, String token) {
    patchAnnotation(client, ns, name, ThawRequest.REQUESTED, token);
  }

  private static void patchAnnotation(
      KubernetesClient client, String ns, String name, String key, String value) {
    client
        .resources(VirtualMachineInstance.class)
        .inNamespace(ns)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(key, value)))));
  }

  private static String awaitAnswer(KubernetesClient client, String ns, String name, String token) {
    await("the helper's answer to " + token)
        .atMost(ANSWER_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Map<String, String> a = vmi(client, ns, name).getMetadata().getAnnotations();
              return a != null && token.equals(a.get(ThawRequest.DONE));
            });
    return vmi(client, ns, name).getMetadata().getAnnotations().get(ThawRequest.RESULT);
  }

  private static VirtualMachineInstance vmi(KubernetesClient client, String ns, String name) {
    return client.resources(VirtualMachineInstance.class).inNamespace(ns).withName(name).get();
  }

  private static List<Event> thawEvents(KubernetesClient client, String ns, String name) {
    return events(client, ns, name, "EmergencyThaw");
  }

  private static List<Event> events(
      KubernetesClient client, String ns, String name, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(
            e ->
                reason.equals(e.getReason())
                    && "VirtualMachineInstance".equals(e.getInvolvedObject().getKind())
                    && name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  private static void freezeDirectly(GuestVm guest) {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      assertThat(agent.freeze(List.of())).isPositive();
    }
    assertThat(freezeStatus(guest)).isEqualTo(FreezeState.FROZEN);
  }

  private static FreezeState freezeStatus(GuestVm guest) {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      return agent.freezeStatus();
    }
  }
}
