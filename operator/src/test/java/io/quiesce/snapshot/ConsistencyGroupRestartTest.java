package io.quiesce.snapshot;

import static io.quiesce.snapshot.SnapshotTestSupport.awaitPhase;
import static io.quiesce.snapshot.SnapshotTestSupport.settings;
import static io.quiesce.snapshot.SnapshotTestSupport.snapshot;
import static io.quiesce.snapshot.SnapshotTestSupport.startOperator;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.SnapshotSources;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.status.Conditions;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group snapshot whose window no operator runs any more (the operator restarted mid-window): the
 * new operator unfreezes every VM through KubeVirt and records the window interrupted.
 */
@KubeApiTest
class ConsistencyGroupRestartTest {

  @Test
  void aWindowLostToARestartIsRecordedInterruptedForEveryMemberAndFails(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("group-restart");
    Fixtures.runningVm(ns, "app").create(client);
    Fixtures.runningVm(ns, "db").create(client);
    QuiescedSnapshot s = snapshot(ns, "shop", null, QuiesceMode.Required, "3m");
    s.getSpec().setSource(null);
    SnapshotSources sources = new SnapshotSources();
    sources.setVms(List.of("app", "db"));
    s.getSpec().setSources(sources);
    QuiescedSnapshot created = client.resource(s).create();
    // as the previous operator wrote it right before it started the window, then died
    QuiescedSnapshotStatus st = new QuiescedSnapshotStatus();
    st.setPhase(SnapshotPhase.InProgress);
    st.setStartTime(Instant.now().toString());
    GroupMember app = new GroupMember();
    app.setVm("app");
    GroupMember db = new GroupMember();
    db.setVm("db");
    st.setMembers(List.of(app, db));
    created.setStatus(st);
    client.resource(created).updateStatus();

    try (QuiesceTestOperator op =
        startOperator(server, settings(10, 2, QuiesceChannel.AUTO), new SimpleMeterRegistry())) {
      QuiescedSnapshot failed = awaitPhase(client, ns, "shop", SnapshotPhase.Failed);

      assertThat(Conditions.find(failed.getStatus().getConditions(), "Failed"))
          .hasValueSatisfying(
              c -> assertThat(c.getReason()).isEqualTo("KubeVirtWindowInterrupted"));
      assertThat(failed.getStatus().getMessage())
          .contains("operator restarted")
          .contains("unfreeze");
      assertThat(failed.getStatus().getMembers())
          .hasSize(2)
          .allSatisfy(
              m -> {
                assertThat(m.getFrozen()).isFalse();
                assertThat(m.getFreeze().getReason()).isEqualTo("KubeVirtWindowInterrupted");
                assertThat(m.getFreeze().getThawedBy()).isEqualTo(ThawTrigger.Recovery);
              });
    }
  }
}
