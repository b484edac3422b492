package io.quiesce.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.kubevirt.VirtualMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JOSDK hands each reconcile the copy {@link TokenBufferCloner} makes: it must be what a JSON round
 * trip gives (every field, fields the model does not know too) and share nothing with the cached
 * original, which a reconcile must never change.
 */
class TokenBufferClonerTest {
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final TokenBufferCloner cloner = new TokenBufferCloner(serialization);

  @Test
  void copiesASnapshotAsAJsonRoundTripDoes() {
    QuiescedSnapshot original = snapshot();

    QuiescedSnapshot copy = cloner.clone(original);

    assertThat(copy).isNotSameAs(original);
    assertThat(serialization.asJson(copy)).isEqualTo(serialization.asJson(original));
    assertThat(serialization.asJson(copy))
        .isEqualTo(serialization.asJson(serialization.clone(original)));
  }

  @Test
  void theCopySharesNothingWithTheOriginal() {
    QuiescedSnapshot original = snapshot();

    QuiescedSnapshot copy = cloner.clone(original);
    copy.getMetadata().getLabels().put("changed", "yes");
    copy.getStatus().getConditions().get(0).setReason("Changed");
    copy.getStatus().getFreeze().setDurationMs(1L);
    copy.getStatus().setPhase(SnapshotPhase.Failed);

    assertThat(original.getMetadata().getLabels()).doesNotContainKey("changed");
    assertThat(original.getStatus().getConditions().get(0).getReason()).isEqualTo("Frozen");
    assertThat(original.getStatus().getFreeze().getDurationMs()).isEqualTo(250L);
    assertThat(original.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
  }

  @Test
  void keepsTheFieldsAnExternalKindDoesNotModel() {
    VirtualMachine vm =
        serialization.unmarshal(
            "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
                + "\"metadata\":{\"name\":\"vm-1\",\"namespace\":\"ns\"},"
                + "\"spec\":{\"runStrategy\":\"Always\",\"someFutureField\":{\"n\":3}}}",
            VirtualMachine.class);

    VirtualMachine copy = cloner.clone(vm);

    assertThat(copy).isNotSameAs(vm);
    assertThat(serialization.asJson(copy))
        .isEqualTo(serialization.asJson(vm))
        .contains("someFutureField");
  }

  @Test
  void nullStaysNull() {
    assertThat(cloner.clone((QuiescedSnapshot) null)).isNull();
  }

  private static QuiescedSnapshot snapshot() {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName("vm-1-backup");
    s.getMetadata().setNamespace("ns");
    s.getMetadata().setResourceVersion("42");
    s.getMetadata().setLabels(new java.util.HashMap<>(Map.of("quiesce.io/node", "node-1")));
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("vm-1");
    s.setSpec(spec);
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(SnapshotPhase.InProgress);
    status.setNodeName("node-1");
    List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>();
    conditions.add(
        new ConditionBuilder()
            .withType("Progressing")
            .withStatus("True")
            .withReason("Frozen")
            .withMessage("frozen")
            .build());
    status.setConditions(conditions);
    FreezeRecord freeze = new FreezeRecord();
    freeze.setDurationMs(250L);
    status.setFreeze(freeze);
    s.setStatus(status);
    return s;
  }
}
