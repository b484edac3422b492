package io.quiesce.consistencygroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.agent.FreezeState;
import io.quiesce.agent.QgaClient;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.snapshot.HttpKubeVirtFreezeApi;
import io.quiesce.status.Reason;
import io.quiesce.testkit.guest.DiskImages;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.ProcessResult;
import io.quiesce.testkit.guest.RealGuest;
import io.quiesce.testkit.guest.WriterProgress;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kubevirt.QgaKubeVirtGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A consistency group of REAL guests: the test kit's shared guest plus a second guest booted for
 * this class, each with its real qemu-guest-agent, frozen through KubeVirt's subresources served by
 * the test kit's FAKE of virt-api/virt-handler/virt-launcher ({@code FakeKubeVirtApi}), which acts
 * on each guest through its agent. The cut is a copy of each guest's data disk, taken inside the
 * common window.
 */
@RealGuest
@KubeApiTest
class GroupFreezeWindowRealGuestsTest {
  private static final Duration WINDOW = Duration.ofSeconds(25);
  private static GuestVm second;

  @BeforeAll
  static void bootTheSecondGuest() {
    second = GuestVm.boot(); // its own runtime dir; the shared guest stays the kit's
    System.out.printf("[figure] second guest booted in %d ms%n", second.bootTime().toMillis());
  }

  @AfterAll
  static void stopTheSecondGuest() {
    if (second != null) {
      second.close();
    }
  }

  @Test
  void twoRealGuestsAreFrozenTogetherCutOnceInsideTheCommonWindowAndThawedTogether(
      GuestVm first, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("group-e2e");
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "db").create(client);
    server.kubeVirt().bind(ns, "app", new QgaKubeVirtGuest(first.agentSocket()));
    server.kubeVirt().bind(ns, "db", new QgaKubeVirtGuest(second.agentSocket()));
    first.awaitWriterAdvance(Duration.ofSeconds(30));
    second.awaitWriterAdvance(Duration.ofSeconds(30));
    Path appCopy = Files.createTempFile("group-app", ".img");
    Path dbCopy = Files.createTempFile("group-db", ".img");
    AtomicReference<Instant> cutStart = new AtomicReference<>();
    AtomicReference<Instant> cutEnd = new AtomicReference<>();
    AtomicReference<List<WriterProgress>> atCut = new AtomicReference<>();
    AtomicReference<List<WriterProgress>> afterCut = new AtomicReference<>();
    try {
      GroupFreezeWindow window =
          new GroupFreezeWindow(
              new HttpKubeVirtFreezeApi(server.newClient(), Duration.ofSeconds(10)),
              GroupFreezeWindow.reportedFrozen(client, ns),
              Clock.systemUTC());

      GroupFreezeWindow.Outcome outcome =
          window.run(
              ns,
              List.of("app", "db"),
              QuiesceMode.Required,
              WINDOW,
              (deadline, frozen) -> {
                cutStart.set(Instant.now());
                double upFirst = first.awaitFreshGuestUptime(Duration.ofSeconds(5));
                double upSecond = second.awaitFreshGuestUptime(Duration.ofSeconds(5));
                atCut.set(List.of(first.writerProgress(), second.writerProgress()));
                first.copyDataDisk(appCopy);
                second.copyDataDisk(dbCopy);
                first.awaitGuestUptime(upFirst + 1.0, Duration.ofSeconds(5));
                second.awaitGuestUptime(upSecond + 1.0, Duration.ofSeconds(5));
                afterCut.set(List.of(first.writerProgress(), second.writerProgress()));
                cutEnd.set(Instant.now());
                return Reason.FROZEN.wire();
              });

      assertThat(outcome.reason()).isEqualTo("Frozen");
      assertThat(outcome.cut()).isTrue();
      assertThat(outcome.notFrozen()).isEmpty();
      assertThat(outcome.message()).isNull();
      assertThat(afterCut.get())
          .as("neither guest's writer moved during the cut: both were frozen")
          .isEqualTo(atCut.get());
      Instant commonStart = Instant.parse(outcome.commonWindow().getStartTime());
      Instant commonEnd = Instant.parse(outcome.commonWindow().getEndTime());
      assertThat(outcome.commonWindow().getDurationMs()).isPositive();
      assertThat(cutStart.get()).as("the cut began inside the common window").isAfter(commonStart);
      assertThat(cutEnd.get()).as("the cut ended inside the common window").isBefore(commonEnd);
      for (GroupMember m : outcome.members()) {
        assertThat(m.getFrozen()).as(m.getVm()).isTrue();
        assertThat(m.getFreeze().getReason()).isEqualTo("Frozen");
        assertThat(m.getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Cut);
        Instant start = Instant.parse(m.getFreeze().getStartTime());
        Instant end = Instant.parse(m.getFreeze().getEndTime());
        assertThat(start)
            .as("%s frozen by the common start", m.getVm())
            .isBeforeOrEqualTo(commonStart);
        assertThat(end).as("%s thawed after the common end", m.getVm()).isAfterOrEqualTo(commonEnd);
        assertThat(m.getFreeze().getDurationMs()).isLessThan(WINDOW.toMillis());
      }
      assertThat(server.kubeVirt().calls())
          .filteredOn(c -> c.startsWith("PUT") && c.contains(ns + "/"))
          .containsExactlyInAnyOrder(
              "PUT freeze " + ns + "/app 200",
              "PUT freeze " + ns + "/db 200",
              "PUT unfreeze " + ns + "/app 200",
              "PUT unfreeze " + ns + "/db 200");
      assertThat(server.kubeVirt().freezeBodies())
          .filteredOn(b -> b.startsWith(ns + "/"))
          .as("KubeVirt's unfreezeTimeout is each VM's watchdog: the group's window")
          .allSatisfy(b -> assertThat(b).contains("\"unfreezeTimeout\":\"25s\""));
      assertThawed(first);
      assertThawed(second);
      for (Path copy : List.of(appCopy, dbCopy)) {
        ProcessResult fsck = DiskImages.e2fsck(copy);
        assertThat(fsck.succeeded())
            .as("e2fsck -fn of %s, copied inside the common window: %s", copy, fsck.output())
            .isTrue();
      }
      System.out.printf(
          "[figure] group of 2 real guests: common window %d ms; app frozen %d ms, db frozen %d ms%n",
          outcome.commonWindow().getDurationMs(),
          outcome.members().get(0).getFreeze().getDurationMs(),
          outcome.members().get(1).getFreeze().getDurationMs());
    } finally {
      Files.deleteIfExists(appCopy);
      Files.deleteIfExists(dbCopy);
    }
  }

  @Test
  void requiredWithOneVmLackingAnAgentThawsTheOtherAtOnceCutsNothingAndNamesThatVm(
      GuestVm first, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("group-required");
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "noagent").agentDisconnected().create(client); // no guest bound
    server.kubeVirt().bind(ns, "app", new QgaKubeVirtGuest(first.agentSocket()));
    AtomicBoolean cutRan = new AtomicBoolean();
    GroupFreezeWindow window =
        new GroupFreezeWindow(
            new HttpKubeVirtFreezeApi(server.newClient(), Duration.ofSeconds(10)),
            GroupFreezeWindow.reportedFrozen(client, ns),
            Clock.systemUTC());

    GroupFreezeWindow.Outcome outcome =
        window.run(
            ns,
            List.of("app", "noagent"),
            QuiesceMode.Required,
            WINDOW,
            (deadline, frozen) -> {
              cutRan.set(true);
              return Reason.FROZEN.wire();
            });

    assertThawed(first); // nothing stays frozen, right when the window returns
    assertThat(cutRan).as("nothing was cut").isFalse();
    assertThat(outcome.cut()).isFalse();
    assertThat(outcome.commonWindow()).isNull();
    assertThat(outcome.reason()).isEqualTo("FreezeFailed");
    assertThat(outcome.notFrozen()).contains("noagent");
    assertThat(outcome.message())
        .contains("VirtualMachineInstance " + ns + "/noagent")
        .contains("thawed at once and nothing was cut");
    GroupMember app = outcome.members().get(0);
    if (app.getFrozen()) {
      assertThat(app.getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Error);
      assertThat(app.getFreeze().getDurationMs())
          .as("thawed at once, not at the window's end")
          .isLessThan(WINDOW.toMillis() / 2);
    }
    assertThat(server.kubeVirt().calls()).contains("PUT unfreeze " + ns + "/app 200");
  }

  @Test
  void bestEffortCutsWithTheVmsThatFrozeAndNamesTheOthers(
      GuestVm first, KubeApiServer server, KubernetesClient client) throws Exception {
    String ns = server.createNamespace("group-besteffort");
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "noagent").agentDisconnected().create(client); // no guest bound
    server.kubeVirt().bind(ns, "app", new QgaKubeVirtGuest(first.agentSocket()));
    AtomicReference<FreezeState> duringCut = new AtomicReference<>();
    AtomicReference<List<String>> frozenForCut = new AtomicReference<>();
    GroupFreezeWindow window =
        new GroupFreezeWindow(
            new HttpKubeVirtFreezeApi(server.newClient(), Duration.ofSeconds(10)),
            GroupFreezeWindow.reportedFrozen(client, ns),
            Clock.systemUTC());

    GroupFreezeWindow.Outcome outcome =
        window.run(
            ns,
            List.of("app", "noagent"),
            QuiesceMode.BestEffort,
            WINDOW,
            (deadline, frozen) -> {
              frozenForCut.set(frozen);
              try (QgaClient agent = new QgaClient(first.agentSocket())) {
                duringCut.set(agent.freezeStatus());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              return Reason.FROZEN.wire();
            });

    assertThat(duringCut.get()).as("app frozen during the cut").isEqualTo(FreezeState.FROZEN);
    assertThat(frozenForCut.get()).as("the VMs the cut is told are frozen").containsExactly("app");
    assertThawed(first);
    assertThat(outcome.cut()).isTrue();
    assertThat(outcome.reason()).isEqualTo("GroupMemberNotFrozen");
    assertThat(outcome.notFrozen()).containsExactly("noagent");
    assertThat(outcome.members().get(1).getFreeze().getReason()).isEqualTo("FreezeFailed");
    assertThat(outcome.message())
        .contains("VirtualMachineInstance " + ns + "/noagent")
        .contains("cut with app frozen");
    assertThat(outcome.commonWindow().getDurationMs()).isPositive();
  }

  private static void assertThawed(GuestVm guest) throws Exception {
    try (QgaClient agent = new QgaClient(guest.agentSocket())) {
      assertThat(agent.freezeStatus()).isEqualTo(FreezeState.THAWED);
    }
  }
}
