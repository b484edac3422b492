package io.quiesce.consistencygroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.snapshot.KubeVirtFreezeApi;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The group window's failure paths, against a scripted FAKE of KubeVirt's freeze subresources
 * (failure injection: a freeze that answers late, an interrupted window), which the real-guest test
 * cannot provoke.
 */
class GroupFreezeWindowTest {

  /** A FAKE KubeVirt: per-VM freeze latency, and who is frozen now. */
  private static final class ScriptedKubeVirt implements KubeVirtFreezeApi {
    final Map<String, Duration> freezeLatency = new ConcurrentHashMap<>();
    final Set<String> frozen = ConcurrentHashMap.newKeySet();
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void freeze(String namespace, String name, Duration unfreezeTimeout) {
      Duration latency = freezeLatency.getOrDefault(name, Duration.ZERO);
      try {
        Thread.sleep(latency.toMillis()); // the guest syncing its filesystems, slowly
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      frozen.add(name);
      calls.add("freeze " + name);
    }

    @Override
    public void unfreeze(String namespace, String name) {
      frozen.remove(name);
      calls.add("unfreeze " + name);
    }

    @Override
    public List<KubeVirtFilesystem> filesystemList(String namespace, String name) {
      return List.of();
    }

    @Override
    public GuestAgentInfo guestOsInfo(String namespace, String name) {
      return new GuestAgentInfo(null, List.of());
    }
  }

  @Test
  void aFreezeThatAnswersAfterTheDeadlineFailsRequiredAndIsStillUnfrozenOnceItAnswers()
      throws Exception {
    ScriptedKubeVirt kubeVirt = new ScriptedKubeVirt();
    kubeVirt.freezeLatency.put("slow", Duration.ofMillis(1500));
    GroupFreezeWindow window = new GroupFreezeWindow(kubeVirt, vm -> false, Clock.systemUTC());

    GroupFreezeWindow.Outcome outcome =
        window.run(
            "ns",
            List.of("fast", "slow"),
            QuiesceMode.Required,
            Duration.ofMillis(500),
            (deadline, frozen) -> {
              throw new AssertionError("nothing is cut when a VM is not frozen under Required");
            });

    assertThat(outcome.cut()).isFalse();
    assertThat(outcome.reason()).isEqualTo(Reason.QUIESCE_TIMEOUT.wire());
    assertThat(outcome.message()).contains("ns/slow").doesNotContain("ns/fast (");
    assertThat(kubeVirt.frozen).as("the window returns with nothing frozen").isEmpty();
    assertThat(kubeVirt.calls)
        .as("the late freeze is followed by its unfreeze")
        .containsSubsequence("freeze slow", "unfreeze slow")
        .contains("unfreeze fast");
  }

  @Test
  void anInterruptedWindowThawsEveryVm() throws Exception {
    ScriptedKubeVirt kubeVirt = new ScriptedKubeVirt();
    GroupFreezeWindow window = new GroupFreezeWindow(kubeVirt, vm -> false, Clock.systemUTC());
    CountDownLatch cutStarted = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                window.run(
                    "ns",
                    List.of("a", "b", "c"),
                    QuiesceMode.Required,
                    Duration.ofSeconds(30),
                    (deadline, frozen) -> {
                      cutStarted.countDown();
                      new CountDownLatch(1).await(); // a cut that never ends by itself
                      return Reason.FROZEN.wire();
                    });
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    runner.start();
    assertThat(cutStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kubeVirt.frozen).containsExactlyInAnyOrder("a", "b", "c");

    runner.interrupt(); // the snapshot deleted, or the operator stopping
    runner.join(10_000);

    assertThat(runner.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(kubeVirt.frozen).isEmpty();
    assertThat(kubeVirt.calls).contains("unfreeze a", "unfreeze b", "unfreeze c");
  }

  @Test
  void aVmKubeVirtAlreadyReportsFrozenIsNeitherFrozenNorThawedAndFailsRequired() throws Exception {
    ScriptedKubeVirt kubeVirt = new ScriptedKubeVirt();
    GroupFreezeWindow window =
        new GroupFreezeWindow(kubeVirt, vm -> vm.equals("theirs"), Clock.systemUTC());

    GroupFreezeWindow.Outcome outcome =
        window.run(
            "ns",
            List.of("ours", "theirs"),
            QuiesceMode.Required,
            Duration.ofSeconds(5),
            (deadline, frozen) -> Reason.FROZEN.wire());

    assertThat(outcome.reason()).isEqualTo(Reason.GUEST_ALREADY_FROZEN.wire());
    assertThat(outcome.notFrozen()).contains("theirs");
    assertThat(kubeVirt.calls).doesNotContain("freeze theirs", "unfreeze theirs");
    await().atMost(Duration.ofSeconds(5)).until(() -> !kubeVirt.frozen.contains("ours"));
  }
}
