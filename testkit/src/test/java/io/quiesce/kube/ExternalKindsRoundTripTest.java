package io.quiesce.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.kube.csi.VolumeGroupSnapshot;
import io.quiesce.kube.csi.VolumeGroupSnapshotClass;
import io.quiesce.kube.csi.VolumeGroupSnapshotStatus;
import io.quiesce.kube.csi.VolumeSnapshot;
import io.quiesce.kube.csi.VolumeSnapshotClass;
import io.quiesce.kube.csi.VolumeSnapshotContent;
import io.quiesce.kube.csi.VolumeSnapshotContentSpec;
import io.quiesce.kube.csi.VolumeSnapshotContentStatus;
import io.quiesce.kube.csi.VolumeSnapshotError;
import io.quiesce.kube.csi.VolumeSnapshotStatus;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import io.quiesce.kube.kubevirt.Volume;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every upstream example deserializes into the typed models and is written back without loss. */
class ExternalKindsRoundTripTest {

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "external-snapshotter/snapshot-v1.yaml, io.quiesce.kube.csi.VolumeSnapshot",
    "external-snapshotter/snapshotclass-v1.yaml, io.quiesce.kube.csi.VolumeSnapshotClass",
    "external-snapshotter/groupsnapshot-v1beta1.yaml, io.quiesce.kube.csi.VolumeGroupSnapshot",
    "external-snapshotter/groupsnapshotclass-v1beta1.yaml, io.quiesce.kube.csi.VolumeGroupSnapshotClass",
    "kubevirt/vm-cirros.yaml, io.quiesce.kube.kubevirt.VirtualMachine",
    "kubevirt/vm-alpine-datavolume.yaml, io.quiesce.kube.kubevirt.VirtualMachine",
    "kubevirt/vm-alpine-multipvc.yaml, io.quiesce.kube.kubevirt.VirtualMachine",
    "kubevirt/kubevirt.io.v1.VirtualMachine.yaml, io.quiesce.kube.kubevirt.VirtualMachine",
    "kubevirt/vmi-fedora.yaml, io.quiesce.kube.kubevirt.VirtualMachineInstance",
    "kubevirt/vmi-nocloud.yaml, io.quiesce.kube.kubevirt.VirtualMachineInstance",
    "kubevirt/vmi-pvc.yaml, io.quiesce.kube.kubevirt.VirtualMachineInstance",
    "kubevirt/vmi-fedora-running-assembled.yaml, io.quiesce.kube.kubevirt.VirtualMachineInstance",
    "kubevirt/kubevirt.io.v1.VirtualMachineInstance.yaml, io.quiesce.kube.kubevirt.VirtualMachineInstance",
  })
  void upstreamExampleRoundTripsWithoutLoss(String example, Class<? extends HasMetadata> type) {
    JsonNode original = withoutNulls(readExample(example));

    HasMetadata typed = Serialization.unmarshal(original.toString(), type);
    JsonNode written = readJson(Serialization.asJson(typed));

    assertThat(typed).isInstanceOf(type);
    assertThat(typed.getMetadata().getName())
        .isEqualTo(original.path("metadata").path("name").asText());
    assertThat(written).isEqualTo(original);
  }

  @Test
  void typedFieldsOfTheVirtualMachineFixtureAreRead() {
    VirtualMachine vm = read("kubevirt/kubevirt.io.v1.VirtualMachine.yaml", VirtualMachine.class);

    assertThat(vm.getSpec().getRunStrategy()).isEqualTo("runStrategyValue");
    assertThat(vm.getSpec().getRunning()).isTrue();
    assertThat(vm.getStatus().getPrintableStatus()).isEqualTo("printableStatusValue");
    assertThat(vm.getStatus().getReady()).isTrue();
    var template = vm.getSpec().getTemplate().getSpec();
    assertThat(template.getDomain().getDevices().getDisks())
        .extracting("name")
        .containsExactly("nameValue");
    Volume volume = template.getVolumes().get(0);
    assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("claimNameValue");
    assertThat(volume.getDataVolume().getName()).isEqualTo("nameValue");
    // the volume kinds Quiesce does not model stay as opaque fields
    assertThat(volume.getAdditionalProperties())
        .containsKeys("containerDisk", "cloudInitNoCloud", "emptyDisk");
  }

  @Test
  void typedFieldsOfTheInstanceFixtureAreRead() {
    VirtualMachineInstanceStatus status =
        read("kubevirt/kubevirt.io.v1.VirtualMachineInstance.yaml", VirtualMachineInstance.class)
            .getStatus();

    assertThat(status.getNodeName()).isEqualTo("nodeNameValue");
    assertThat(status.getPhase()).isEqualTo("phaseValue");
    assertThat(status.getActivePods())
        .containsExactly(Map.entry("activePodsKey", "activePodsValue"));
    assertThat(status.getConditions())
        .extracting("type", "status", "lastProbeTime")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "typeValue", "statusValue", "1987-01-01T01:01:01Z"));
    assertThat(status.getMigrationState().getSourceNode()).isEqualTo("sourceNodeValue");
    assertThat(status.getMigrationState().getTargetNode()).isEqualTo("targetNodeValue");
    assertThat(status.getMigrationState().getSourcePod()).isEqualTo("sourcePodValue");
    assertThat(status.getMigrationState().getCompleted()).isTrue();
    assertThat(status.getVolumeStatus().get(0).getPersistentVolumeClaimInfo().getClaimName())
        .isEqualTo("claimNameValue");
    assertThat(status.getVolumeStatus().get(0).getPersistentVolumeClaimInfo().getCapacity())
        .containsEntry("capacityKey", new Quantity("0"));
    assertThat(status.getFsFreezeStatus()).isEqualTo("fsFreezeStatusValue");
  }

  @Test
  void runningInstanceReportsItsAgentAndPods() {
    VirtualMachineInstance vmi =
        read("kubevirt/vmi-fedora-running-assembled.yaml", VirtualMachineInstance.class);

    assertThat(vmi.getStatus().isAgentConnected()).isTrue();
    assertThat(vmi.getStatus().getActivePods())
        .containsEntry("6d220540-cae6-4aa3-a850-af62ff66e407", "node01");
    assertThat(vmi.getSpec().getVolumes())
        .extracting(v -> v.claimName().orElse(null))
        .containsExactly(null, null, "disk-alpine");
  }

  @Test
  void dataVolumeResolvesToTheClaimOfTheSameName() {
    VirtualMachine vm = read("kubevirt/vm-alpine-datavolume.yaml", VirtualMachine.class);

    assertThat(vm.getSpec().getTemplate().getSpec().getVolumes().get(0).claimName())
        .contains("alpine-dv");
  }

  @Test
  void changingATypedFieldChangesOnlyThatField() {
    JsonNode original =
        withoutNulls(readExample("kubevirt/kubevirt.io.v1.VirtualMachineInstance.yaml"));
    VirtualMachineInstance vmi =
        Serialization.unmarshal(original.toString(), VirtualMachineInstance.class);

    vmi.getStatus().setNodeName("node-b");
    JsonNode written = readJson(Serialization.asJson(vmi));

    ObjectNode expected = original.deepCopy();
    ((ObjectNode) expected.get("status")).put("nodeName", "node-b");
    assertThat(written).isEqualTo(expected);
  }

  @Test
  void snapshotStatusUsesUpstreamNamesAndTypes() {
    VolumeSnapshot snapshot = read("external-snapshotter/snapshot-v1.yaml", VolumeSnapshot.class);
    VolumeSnapshotStatus status = new VolumeSnapshotStatus();
    status.setBoundVolumeSnapshotContentName("snapcontent-1");
    status.setCreationTime("2024-05-01T10:00:00Z");
    status.setReadyToUse(true);
    status.setRestoreSize(new Quantity("1Gi"));
    status.setError(new VolumeSnapshotError("boom", "2024-05-01T10:00:01Z"));
    snapshot.setStatus(status);

    JsonNode json = readJson(Serialization.asJson(snapshot));

    assertThat(snapshot.getSpec().getSource().getPersistentVolumeClaimName()).isEqualTo("hpvc");
    assertThat(snapshot.getSpec().getVolumeSnapshotClassName())
        .isEqualTo("csi-hostpath-snapclass-v1");
    assertThat(json.path("status"))
        .isEqualTo(
            readJson(
                """
                {"boundVolumeSnapshotContentName":"snapcontent-1","creationTime":"2024-05-01T10:00:00Z",
                 "readyToUse":true,"restoreSize":"1Gi",
                 "error":{"message":"boom","time":"2024-05-01T10:00:01Z"}}"""));
    assertThat(json.path("apiVersion").asText()).isEqualTo("snapshot.storage.k8s.io/v1");
    assertThat(json.path("kind").asText()).isEqualTo("VolumeSnapshot");
  }

  @Test
  void snapshotClassReadsDriverPolicyAndDefaultMarker() {
    VolumeSnapshotClass snapshotClass =
        read("external-snapshotter/snapshotclass-v1.yaml", VolumeSnapshotClass.class);

    assertThat(snapshotClass.getDriver()).isEqualTo("hostpath.csi.k8s.io");
    assertThat(snapshotClass.getDeletionPolicy()).isEqualTo("Delete");
    assertThat(snapshotClass.isDefault()).isFalse();
    snapshotClass
        .getMetadata()
        .setAnnotations(Map.of(VolumeSnapshotClass.IS_DEFAULT_CLASS_ANNOTATION, "true"));
    assertThat(snapshotClass.isDefault()).isTrue();
  }

  @Test
  void snapshotContentUsesNanosecondsAndBytes() {
    VolumeSnapshotContent content = new VolumeSnapshotContent();
    content.getMetadata().setName("snapcontent-1");
    VolumeSnapshotContentSpec spec = new VolumeSnapshotContentSpec();
    spec.setDriver("hostpath.csi.k8s.io");
    spec.setDeletionPolicy("Delete");
    spec.setVolumeSnapshotRef(
        new ObjectReferenceBuilder().withName("snap").withNamespace("ns").build());
    content.setSpec(spec);
    VolumeSnapshotContentStatus status = new VolumeSnapshotContentStatus();
    status.setCreationTime(1_714_557_600_123_456_789L);
    status.setRestoreSize(1_073_741_824L);
    content.setStatus(status);

    JsonNode json = readJson(Serialization.asJson(content));
    VolumeSnapshotContent back =
        Serialization.unmarshal(json.toString(), VolumeSnapshotContent.class);

    assertThat(json.path("status").path("creationTime").isIntegralNumber()).isTrue();
    assertThat(json.path("status").path("restoreSize").asLong()).isEqualTo(1_073_741_824L);
    assertThat(back.getStatus().getCreationTime()).isEqualTo(1_714_557_600_123_456_789L);
    assertThat(back.getSpec().getVolumeSnapshotRef().getName()).isEqualTo("snap");
    assertThat(json.path("kind").asText()).isEqualTo("VolumeSnapshotContent");
  }

  @Test
  void groupSnapshotReadsSelectorClassAndKeepsTheExampleVersion() {
    VolumeGroupSnapshot group =
        read("external-snapshotter/groupsnapshot-v1beta1.yaml", VolumeGroupSnapshot.class);
    VolumeGroupSnapshotStatus status = new VolumeGroupSnapshotStatus();
    status.setBoundVolumeGroupSnapshotContentName("groupsnapcontent-1");
    status.setCreationTime("2024-05-01T10:00:00Z");
    status.setReadyToUse(false);
    status.setError(new VolumeSnapshotError("no class", "2024-05-01T10:00:01Z"));
    group.setStatus(status);

    JsonNode json = readJson(Serialization.asJson(group));

    assertThat(group.getSpec().getSource().getSelector().getMatchLabels())
        .containsExactly(Map.entry("app.kubernetes.io/name", "postgresql"));
    assertThat(group.getSpec().getVolumeGroupSnapshotClassName())
        .isEqualTo("csi-hostpath-groupsnapclass");
    assertThat(json.path("apiVersion").asText()).isEqualTo("groupsnapshot.storage.k8s.io/v1beta1");
    assertThat(json.path("status"))
        .isEqualTo(
            readJson(
                """
                {"boundVolumeGroupSnapshotContentName":"groupsnapcontent-1","creationTime":"2024-05-01T10:00:00Z",
                 "readyToUse":false,"error":{"message":"no class","time":"2024-05-01T10:00:01Z"}}"""));
    assertThat(new VolumeGroupSnapshot().getApiVersion())
        .as("a new object's default version")
        .isEqualTo("groupsnapshot.storage.k8s.io/v1beta2");
  }

  @Test
  void groupSnapshotClassReadsDriverAndDefaultMarker() {
    VolumeGroupSnapshotClass groupClass =
        read(
            "external-snapshotter/groupsnapshotclass-v1beta1.yaml", VolumeGroupSnapshotClass.class);

    assertThat(groupClass.getDriver()).isEqualTo("hostpath.csi.k8s.io");
    assertThat(groupClass.getDeletionPolicy()).isEqualTo("Delete");
    assertThat(groupClass.isDefault()).isFalse();
    groupClass
        .getMetadata()
        .setAnnotations(Map.of(VolumeGroupSnapshotClass.IS_DEFAULT_CLASS_ANNOTATION, "true"));
    assertThat(groupClass.isDefault()).isTrue();
  }

  private static <T> T read(String example, Class<T> type) {
    return Serialization.unmarshal(readExample(example).toString(), type);
  }

  static JsonNode readExample(String example) {
    try (InputStream in =
        ExternalKindsRoundTripTest.class.getResourceAsStream("/testkit/examples/" + example)) {
      assertThat(in).as("example %s on the test classpath", example).isNotNull();
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readJson(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kubernetes treats an explicit null like an absent field; the models drop nulls when writing.
   */
  private static JsonNode withoutNulls(JsonNode node) {
    JsonNode copy = node.deepCopy();
    stripNulls(copy);
    return copy;
  }

  private static void stripNulls(JsonNode node) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isNull()) {
          it.remove();
        } else {
          stripNulls(field.getValue());
        }
      }
    } else if (node.isArray()) {
      node.forEach(ExternalKindsRoundTripTest::stripNulls);
    }
  }
}
