package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.snapshot.Decision.SnapshotEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The operator calls KubeVirt's unfreeze when, and only when, a helper could not confirm its thaw.
 */
class KubeVirtThawBackstopTest {
  private final List<String> unfreezes = new ArrayList<>();
  private boolean failing;
  private final KubeVirtFreezeApi api =
      new KubeVirtFreezeApi() {
        @Override
        public void freeze(String namespace, String name, Duration unfreezeTimeout) {
          throw new AssertionError("the backstop never freezes");
        }

        @Override
        public void unfreeze(String namespace, String name) throws KubeVirtFreezeException {
          unfreezes.add(namespace + "/" + name);
          if (failing) {
            throw new KubeVirtFreezeException("unfreeze answered 500", null);
          }
        }

        @Override
        public List<KubeVirtFilesystem> filesystemList(String namespace, String name) {
          throw new AssertionError();
        }

        @Override
        public GuestAgentInfo guestOsInfo(String namespace, String name) {
          throw new AssertionError();
        }
      };

  @Test
  void aThawTheHelperCouldNotConfirmIsUnfrozenThroughKubeVirt() {
    Optional<SnapshotEvent> event =
        new KubeVirtThawBackstop(api)
            .apply(snapshot(FreezeMethod.QGA, "ThawNotConfirmed", SnapshotPhase.InProgress));

    assertThat(unfreezes).containsExactly("ns/db");
    assertThat(event)
        .hasValueSatisfying(e -> assertThat(e.reason()).isEqualTo("KubeVirtUnfreezeBackstop"));
  }

  @Test
  void aFailedBackstopSaysSo() {
    failing = true;
    Optional<SnapshotEvent> event =
        new KubeVirtThawBackstop(api)
            .apply(snapshot(FreezeMethod.LIBVIRT, "ThawNotConfirmed", SnapshotPhase.InProgress));

    assertThat(event).hasValueSatisfying(e -> assertThat(e.message()).contains("answered 500"));
  }

  @Test
  void nothingElseCallsIt() {
    KubeVirtThawBackstop backstop = new KubeVirtThawBackstop(api);
    assertThat(backstop.apply(snapshot(FreezeMethod.QGA, "Frozen", SnapshotPhase.InProgress)))
        .isEmpty();
    assertThat(backstop.apply(snapshot(FreezeMethod.QGA, "ThawNotConfirmed", SnapshotPhase.Failed)))
        .isEmpty();
    assertThat(
            backstop.apply(
                snapshot(FreezeMethod.KUBEVIRT_API, "ThawNotConfirmed", SnapshotPhase.InProgress)))
        .isEmpty();
    assertThat(unfreezes).isEmpty();
  }

  private static QuiescedSnapshot snapshot(
      FreezeMethod method, String reason, SnapshotPhase phase) {
    QuiescedSnapshot s = SnapshotTestSupport.snapshot("ns", "s1", "db", QuiesceMode.Required, "1m");
    FreezeRecord freeze = new FreezeRecord();
    freeze.setMethod(method);
    freeze.setReason(reason);
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(phase);
    status.setFreeze(freeze);
    s.setStatus(status);
    return s;
  }
}
