package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The test API server behaves like a real one where Quiesce depends on it. */
@KubeApiTest
class KubeApiServerTest {

  private final KubernetesClient client;
  private final KubeApiServer server;
  private String ns;

  KubeApiServerTest(KubernetesClient client, KubeApiServer server) {
    this.client = client;
    this.server = server;
  }

  @BeforeEach
  void newNamespace() {
    ns = server.createNamespace("api");
  }

  @Test
  void answersASelfSubjectRulesReviewWithoutMetadataAsKubeApiserverDoes() {
    // JOSDK asks before it takes part in leader election; its review carries no metadata
    SelfSubjectRulesReview review =
        client
            .resource(
                new SelfSubjectRulesReviewBuilder()
                    .withNewSpec()
                    .withNamespace(ns)
                    .endSpec()
                    .build())
            .create();
    assertThat(review.getStatus().getResourceRules())
        .singleElement()
        .satisfies(rule -> assertThat(rule.getVerbs()).containsExactly("*"));
    assertThat(review.getSpec().getNamespace()).isEqualTo(ns);
  }

  @Nested
  class ServerSideApply {

    @Test
    void applyOfAMissingObjectCreatesItWithoutStatus() {
      QuiescedSnapshot snapshot = snapshot("fresh", "vm-a");
      snapshot.setStatus(status(SnapshotPhase.Succeeded));

      QuiescedSnapshot created = client.resource(snapshot).serverSideApply();

      assertThat(created.getMetadata().getUid()).isNotBlank();
      assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(created.getStatus()).isNull();
      assertThat(snapshots().withName("fresh").get().getSpec().getSource()).isEqualTo("vm-a");
    }

    @Test
    void applyMergesIntoTheLiveObjectAndReplacesLists() {
      VirtualMachine vm = client.resource(vmWithVolumes("merge-vm", "disk-a")).create();
      vm.getMetadata().setLabels(Map.of("team", "storage"));
      client.resource(vm).update();

      VirtualMachine applied = vmWithVolumes("merge-vm", "disk-a", "disk-b");
      applied.getMetadata().setLabels(Map.of("tier", "gold"));
      client.resource(applied).fieldManager("test").forceConflicts().serverSideApply();

      VirtualMachine live = vms().withName("merge-vm").get();
      assertThat(live.getMetadata().getLabels())
          .containsEntry("team", "storage")
          .containsEntry("tier", "gold");
      assertThat(live.getSpec().getTemplate().getSpec().getVolumes())
          .extracting("name")
          .containsExactly("disk-a", "disk-b");
    }

    @Test
    void applyingOneFinalizerKeepsTheOthers() {
      QuiescedSnapshot snapshot = snapshot("finalized", "vm-a");
      snapshot.getMetadata().setFinalizers(List.of("other.io/protect"));
      client.resource(snapshot).create();

      QuiescedSnapshot mine = new QuiescedSnapshot();
      mine.getMetadata().setName("finalized");
      mine.getMetadata().setNamespace(ns);
      mine.getMetadata().setFinalizers(List.of("quiesce.io/cleanup"));
      client.resource(mine).fieldManager("quiesce").forceConflicts().serverSideApply();

      assertThat(snapshots().withName("finalized").get().getMetadata().getFinalizers())
          .containsExactly("other.io/protect", "quiesce.io/cleanup");
    }

    @Test
    void applyToStatusWithAQueryStringChangesOnlyStatus() {
      client.resource(snapshot("applied-status", "vm-a")).create();

      QuiescedSnapshot update = snapshot("applied-status", "vm-changed");
      update.getMetadata().setLabels(Map.of("ignored", "yes"));
      update.setStatus(status(SnapshotPhase.InProgress));
      snapshots()
          .resource(update)
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.SERVER_SIDE_APPLY)
                  .withFieldManager("quiesce")
                  .withForce(true)
                  .build());

      QuiescedSnapshot live = snapshots().withName("applied-status").get();
      assertThat(live.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
      assertThat(live.getSpec().getSource()).isEqualTo("vm-a");
      assertThat(live.getMetadata().getLabels()).isNullOrEmpty();
      assertThat(live.getMetadata().getGeneration()).isEqualTo(1L);
    }

    @Test
    void applyAcceptsYamlAndRequiresAFieldManager() throws Exception {
      String yaml =
          """
                    apiVersion: quiesce.io/v1alpha1
                    kind: QuiescedSnapshot
                    metadata:
                      name: from-yaml
                    spec:
                      source: vm-y
                    """;
      String path = "/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots/from-yaml";

      assertThat(rawApply(path, yaml).code()).isEqualTo(422);
      assertThat(rawApply(path + "?fieldManager=kubectl", yaml).code()).isEqualTo(201);
      assertThat(snapshots().withName("from-yaml").get().getSpec().getSource()).isEqualTo("vm-y");
    }

    private HttpResponse<String> rawApply(String path, String yaml) throws Exception {
      HttpClient http = client.getHttpClient();
      return http.sendAsync(
              http.newHttpRequestBuilder()
                  .uri(server.url(path))
                  .method("PATCH", "application/apply-patch+yaml", yaml)
                  .build(),
              String.class)
          .get(10, TimeUnit.SECONDS);
    }

    @Test
    void applyWithAStaleResourceVersionConflicts() {
      // a schedule, whose spec may change (a QuiescedSnapshot's spec is immutable)
      QuiescedSnapshotSchedule created = client.resource(schedule("stale-apply")).create();
      client
          .resource(created)
          .edit(
              s -> {
                s.getSpec().setSchedule("@hourly");
                return s;
              });

      created.getSpec().setSchedule("@weekly");
      assertThatThrownBy(
              () -> client.resource(created).fieldManager("t").forceConflicts().serverSideApply())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }
  }

  @Nested
  class Creates {

    @Test
    void aCreateGetsServerOwnedMetadataAndLosesAStatusSubresourcesStatus() {
      QuiescedSnapshot snapshot = snapshot("new", "vm-a");
      snapshot.getMetadata().setLabels(Map.of("team", "storage"));
      snapshot.getMetadata().setUid("from-the-client");
      snapshot.getMetadata().setGeneration(7L);
      snapshot.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
      snapshot.setStatus(status(SnapshotPhase.Succeeded));

      QuiescedSnapshot created = snapshots().resource(snapshot).create();

      assertThat(created.getMetadata().getUid()).isNotBlank().isNotEqualTo("from-the-client");
      assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(created.getMetadata().getCreationTimestamp())
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
      assertThat(created.getMetadata().getDeletionTimestamp()).isNull();
      assertThat(created.getMetadata().getNamespace()).isEqualTo(ns);
      assertThat(created.getMetadata().getLabels()).containsEntry("team", "storage");
      assertThat(created.getStatus()).isNull();
      assertThat(snapshots().withName("new").get()).isEqualTo(created);
      assertThat(
              client
                  .resources(QuiescedSnapshot.class)
                  .inNamespace(ns)
                  .withLabel("team", "storage")
                  .list()
                  .getItems())
          .extracting(s -> s.getMetadata().getName())
          .containsExactly("new");
    }

    @Test
    void aCreatedObjectIsCheckedOnItsNextWrites() {
      QuiescedSnapshot created = snapshots().resource(snapshot("checked", "vm-a")).create();
      created.setStatus(status(SnapshotPhase.InProgress));
      QuiescedSnapshot withStatus = snapshots().resource(created).updateStatus();

      assertThat(withStatus.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
      withStatus.getSpec().setSource("vm-b");
      assertThatThrownBy(() -> snapshots().resource(withStatus).update())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }

    @Test
    void aTakenNameConflictsAndAnotherNamespaceIsRefused() throws Exception {
      snapshots().resource(snapshot("taken", "vm-a")).create();

      assertThatThrownBy(() -> snapshots().resource(snapshot("taken", "vm-b")).create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(snapshots().withName("taken").get().getSpec().getSource()).isEqualTo("vm-a");

      QuiescedSnapshot elsewhere = snapshot("elsewhere", "vm-a");
      elsewhere.getMetadata().setNamespace("other");
      HttpClient http = client.getHttpClient();
      HttpResponse<String> response =
          http.sendAsync(
                  http.newHttpRequestBuilder()
                      .uri(
                          server.url(
                              "/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots"))
                      .post("application/json", Serialization.asJson(elsewhere))
                      .build(),
                  String.class)
              .get(10, TimeUnit.SECONDS);
      assertThat(response.code()).isEqualTo(400);
      assertThat(snapshots().withName("elsewhere").get()).isNull();
    }
  }

  @Nested
  class Patches {

    @Test
    void jsonMergePatchReplacesArraysAndNullRemovesFields() {
      client.resource(vmWithVolumes("patched-vm", "disk-a")).create();

      vms()
          .withName("patched-vm")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              """
                    {"spec":{"runStrategy":null,"template":{"spec":{"volumes":[
                      {"name":"disk-a","persistentVolumeClaim":{"claimName":"disk-a"}},
                      {"name":"disk-b","persistentVolumeClaim":{"claimName":"disk-b"}}]}}}}""");

      VirtualMachine live = vms().withName("patched-vm").get();
      assertThat(live.getSpec().getTemplate().getSpec().getVolumes())
          .extracting("name")
          .containsExactly("disk-a", "disk-b");
      assertThat(live.getSpec().getRunStrategy()).isNull();
    }

    @Test
    void jsonMergePatchMergesNestedObjectsAndDropsNullsInNewOnes() {
      client.resource(vmWithVolumes("nested-vm", "disk-a")).create();
      vms()
          .withName("nested-vm")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}");

      vms()
          .withName("nested-vm")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              """
                    {"metadata":{"labels":{"b":null,"c":"3"},"annotations":{"x":"1","y":null}}}""");

      VirtualMachine live = vms().withName("nested-vm").get();
      assertThat(live.getMetadata().getLabels())
          .containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "c", "3"));
      assertThat(live.getMetadata().getAnnotations())
          .containsExactlyInAnyOrderEntriesOf(Map.of("x", "1"));
      assertThat(live.getSpec().getTemplate().getSpec().getVolumes())
          .extracting("name")
          .containsExactly("disk-a");
      assertThat(live.getSpec().getRunStrategy()).isEqualTo("Always");
    }

    @Test
    void theStoredObjectHandedOutIsACopyOfItsOwn() {
      client.resource(snapshot("handed-out", "vm-a")).create();
      String path = "/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots/handed-out";
      com.fasterxml.jackson.databind.node.ObjectNode copy =
          server.dispatcher().storedObject(path).orElseThrow();

      ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("spec")).put("source", "vm-z");
      snapshots()
          .withName("handed-out")
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Pending\"}}");

      assertThat(
              server
                  .dispatcher()
                  .storedObject(path)
                  .orElseThrow()
                  .path("spec")
                  .path("source")
                  .asText())
          .isEqualTo("vm-a");
      assertThat(snapshots().withName("handed-out").get().getSpec().getSource()).isEqualTo("vm-a");
    }

    @Test
    void strategicMergeOfACustomResourceIsRefusedAsOnARealServer() {
      client.resource(snapshot("smp", "vm-a")).create();

      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("smp")
                      .patch(
                          PatchContext.of(PatchType.STRATEGIC_MERGE),
                          "{\"spec\":{\"source\":\"vm-b\"}}"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    }

    @Test
    void strategicMergeOfABuiltInKindMerges() {
      client
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("cm")
                  .withNamespace(ns)
                  .endMetadata()
                  .withData(Map.of("a", "1"))
                  .build())
          .create();

      client
          .configMaps()
          .inNamespace(ns)
          .withName("cm")
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"data\":{\"b\":\"2\"}}");

      assertThat(client.configMaps().inNamespace(ns).withName("cm").get().getData())
          .containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
    }

    @Test
    void mergePatchToStatusWithFieldManagerIsAStatusWrite() {
      client.resource(snapshot("merge-status", "vm-a")).create();

      snapshots()
          .withName("merge-status")
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.JSON_MERGE)
                  .withFieldManager("quiesce")
                  .build(),
              "{\"spec\":{\"source\":\"vm-x\"},\"status\":{\"phase\":\"Failed\"}}");

      QuiescedSnapshot live = snapshots().withName("merge-status").get();
      assertThat(live.getStatus().getPhase()).isEqualTo(SnapshotPhase.Failed);
      assertThat(live.getSpec().getSource()).isEqualTo("vm-a");
    }

    @Test
    void jsonPatchThatDoesNotFitIsInvalid() {
      client.resource(snapshot("json-patch", "vm-a")).create();

      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("json-patch")
                      .patch(
                          PatchContext.of(PatchType.JSON),
                          "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }
  }

  @Nested
  class StatusSubresource {

    @Test
    void writeToTheMainResourceKeepsStatusAndStatusWriteKeepsTheRest() {
      QuiescedSnapshotSchedule created = client.resource(schedule("split")).create();
      created.setStatus(scheduleStatus(FIRST));
      QuiescedSnapshotSchedule withStatus = client.resource(created).updateStatus();

      withStatus.getSpec().setSchedule("@hourly");
      withStatus.setStatus(scheduleStatus(SECOND));
      QuiescedSnapshotSchedule afterMainWrite = client.resource(withStatus).update();

      assertThat(afterMainWrite.getSpec().getSchedule()).isEqualTo("@hourly");
      assertThat(afterMainWrite.getStatus().getLastScheduleTime()).isEqualTo(FIRST);

      afterMainWrite.getSpec().setSchedule("@weekly");
      afterMainWrite.getStatus().setLastScheduleTime(THIRD);
      QuiescedSnapshotSchedule afterStatusWrite = client.resource(afterMainWrite).updateStatus();

      assertThat(afterStatusWrite.getSpec().getSchedule()).isEqualTo("@hourly");
      assertThat(afterStatusWrite.getStatus().getLastScheduleTime()).isEqualTo(THIRD);
    }

    @Test
    void aStatusWriteKeepsTheRestAndItsOrderWhateverTheBodySends() {
      client.resource(snapshot("ordered", "vm-a")).create();
      String path = "/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots/ordered";
      String version =
          server
              .dispatcher()
              .storedObject(path)
              .orElseThrow()
              .at("/metadata/resourceVersion")
              .asText();
      String body =
          """
              {"status":{"phase":"Pending"},"spec":{"source":"vm-b"},"kind":"QuiescedSnapshot",
               "metadata":{"name":"ordered","labels":{"sneaked":"in"},"resourceVersion":"%s"},
               "apiVersion":"quiesce.io/v1alpha1"}"""
              .formatted(version);

      io.fabric8.mockwebserver.http.MockResponse response =
          server
              .dispatcher()
              .handleUpdate(
                  new io.fabric8.mockwebserver.http.RecordedRequest(
                      "HTTP/1.1",
                      io.fabric8.mockwebserver.dsl.HttpMethod.PUT,
                      path + "/status",
                      io.fabric8.mockwebserver.http.Headers.builder()
                          .add("Content-Type", "application/json")
                          .build(),
                      new io.fabric8.mockwebserver.http.Buffer(
                          body.getBytes(java.nio.charset.StandardCharsets.UTF_8))));

      assertThat(response.code()).isEqualTo(200);
      com.fasterxml.jackson.databind.node.ObjectNode stored =
          server.dispatcher().storedObject(path).orElseThrow();
      assertThat(stored.path("status").path("phase").asText()).isEqualTo("Pending");
      assertThat(stored.path("spec").path("source").asText()).isEqualTo("vm-a");
      assertThat(stored.path("metadata").has("labels")).isFalse();
      List<String> fields = new ArrayList<>();
      stored.fieldNames().forEachRemaining(fields::add);
      assertThat(fields).containsExactly("apiVersion", "kind", "metadata", "spec", "status");
    }

    @Test
    void virtualMachineInstanceHasNoStatusSubresourceAsUpstream() {
      VirtualMachineInstance vmi = new VirtualMachineInstance();
      vmi.getMetadata().setName("vmi");
      vmi.getMetadata().setNamespace(ns);
      vmi.setStatus(new VirtualMachineInstanceStatus());
      vmi.getStatus().setNodeName("node-a");

      VirtualMachineInstance created = client.resource(vmi).create();
      created.getStatus().setNodeName("node-b");
      client.resource(created).update();

      assertThat(
              client
                  .resources(VirtualMachineInstance.class)
                  .inNamespace(ns)
                  .withName("vmi")
                  .get()
                  .getStatus()
                  .getNodeName())
          .isEqualTo("node-b");
    }

    @Test
    void persistentVolumeClaimStatusIsASubresourceAsForBuiltInKinds() {
      PersistentVolumeClaim pvc =
          new PersistentVolumeClaimBuilder()
              .withNewMetadata()
              .withName("pvc")
              .withNamespace(ns)
              .endMetadata()
              .withNewSpec()
              .withStorageClassName("csi")
              .endSpec()
              .withNewStatus()
              .withPhase("Bound")
              .endStatus()
              .build();

      PersistentVolumeClaim created = client.resource(pvc).create();
      assertThat(created.getStatus()).isNull();

      created.setStatus(pvc.getStatus());
      created.getStatus().setCapacity(Map.of("storage", new Quantity("2Gi")));
      client.resource(created).updateStatus();

      assertThat(
              client
                  .persistentVolumeClaims()
                  .inNamespace(ns)
                  .withName("pvc")
                  .get()
                  .getStatus()
                  .getPhase())
          .isEqualTo("Bound");
    }
  }

  @Nested
  class GenerationAndResourceVersion {

    @Test
    void generationMovesOnSpecChangesOnly() {
      QuiescedSnapshotSchedule created = client.resource(schedule("gen")).create();
      Resource<QuiescedSnapshotSchedule> live = schedules().withName("gen");

      QuiescedSnapshotSchedule labelled =
          live.edit(
              s -> {
                s.getMetadata().setLabels(Map.of("a", "b"));
                return s;
              });
      labelled.setStatus(scheduleStatus(FIRST));
      QuiescedSnapshotSchedule statusWritten = client.resource(labelled).updateStatus();
      QuiescedSnapshotSchedule specChanged =
          live.edit(
              s -> {
                s.getSpec().setSchedule("@hourly");
                return s;
              });

      assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(labelled.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(statusWritten.getMetadata().getGeneration()).isEqualTo(1L);
      assertThat(specChanged.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void resourceVersionIncreasesOnEveryChangeAndNotOnANoOp() {
      QuiescedSnapshotSchedule created = client.resource(schedule("rv")).create();
      Resource<QuiescedSnapshotSchedule> live = schedules().withName("rv");

      QuiescedSnapshotSchedule changed =
          live.patch(
              PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"schedule\":\"@hourly\"}}");
      QuiescedSnapshotSchedule unchanged =
          live.patch(
              PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"schedule\":\"@hourly\"}}");

      long first = Long.parseLong(created.getMetadata().getResourceVersion());
      long second = Long.parseLong(changed.getMetadata().getResourceVersion());
      assertThat(second).isGreaterThan(first);
      assertThat(unchanged.getMetadata().getResourceVersion())
          .isEqualTo(changed.getMetadata().getResourceVersion());
    }

    @Test
    void staleUpdatesConflict() {
      QuiescedSnapshotSchedule created = client.resource(schedule("occ")).create();
      schedules()
          .withName("occ")
          .edit(
              s -> {
                s.getSpec().setSchedule("@hourly");
                return s;
              });

      created.getSpec().setSchedule("@weekly");
      assertThatThrownBy(() -> client.resource(created).update())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      created.setStatus(scheduleStatus(SECOND));
      assertThatThrownBy(() -> client.resource(created).updateStatus())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(schedules().withName("occ").get().getSpec().getSchedule()).isEqualTo("@hourly");
    }

    @Test
    void aResourceVersionInAPatchIsAPrecondition() {
      client.resource(snapshot("precondition", "vm-a")).create();

      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("precondition")
                      .patch(
                          PatchContext.of(PatchType.JSON_MERGE),
                          "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"source\":\"vm-b\"}}"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(snapshots().withName("precondition").get().getSpec().getSource())
          .isEqualTo("vm-a");
    }

    @Test
    void aResourceVersionInAStatusMergePatchIsAPrecondition() {
      QuiescedSnapshot created = client.resource(snapshot("status-precondition", "vm-a")).create();
      String read = created.getMetadata().getResourceVersion();
      snapshots()
          .withName("status-precondition")
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"resourceVersion\":\""
                  + read
                  + "\"},\"status\":{\"phase\":\"InProgress\"}}");

      // the same, now stale, version must not move the status back
      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("status-precondition")
                      .subresource("status")
                      .patch(
                          PatchContext.of(PatchType.JSON_MERGE),
                          "{\"metadata\":{\"resourceVersion\":\""
                              + read
                              + "\"},\"status\":{\"phase\":\"Pending\"}}"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(snapshots().withName("status-precondition").get().getStatus().getPhase())
          .isEqualTo(SnapshotPhase.InProgress);
    }

    @Test
    void writesAfterStatusWritesAreStillChecked() {
      client.resource(snapshot("checked", "vm-a")).create();
      for (SnapshotPhase phase : List.of(SnapshotPhase.Pending, SnapshotPhase.InProgress)) {
        snapshots()
            .withName("checked")
            .subresource("status")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"" + phase + "\"}}");
      }

      // a value the schema refuses, next to a spec that did not change
      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("checked")
                      .subresource("status")
                      .patch(
                          PatchContext.of(PatchType.JSON_MERGE),
                          "{\"status\":{\"phase\":\"Bogus\"}}"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
      // the spec's rule with oldSelf (immutable) still holds
      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("checked")
                      .patch(
                          PatchContext.of(PatchType.JSON_MERGE),
                          "{\"spec\":{\"source\":\"vm-b\"}}"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
      QuiescedSnapshot stored = snapshots().withName("checked").get();
      assertThat(stored.getStatus().getPhase()).isEqualTo(SnapshotPhase.InProgress);
      assertThat(stored.getSpec().getSource()).isEqualTo("vm-a");
    }

    @Test
    void aRefusedStatusPatchChangesNothingAndTheNextPatchesOnlyWhatTheyName() {
      // merge patches share the stored object's untouched parts (copy on write): none of them may
      // change, neither by a write that is refused nor by the server's own writes to metadata
      client.resource(snapshot("shared", "vm-a")).create();
      snapshots()
          .withName("shared")
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"InProgress\"}}");
      QuiescedSnapshot before = snapshots().withName("shared").get();

      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("shared")
                      .subresource("status")
                      .patch(
                          PatchContext.of(PatchType.JSON_MERGE),
                          "{\"status\":{\"phase\":\"Bogus\"}}"))
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getStatus().getDetails().getCauses())
                    .extracting(c -> c.getField())
                    .containsExactly("status.phase");
              });
      assertThat(snapshots().withName("shared").get()).isEqualTo(before);

      QuiescedSnapshot labelled =
          snapshots()
              .withName("shared")
              .patch(
                  PatchContext.of(PatchType.JSON_MERGE),
                  "{\"metadata\":{\"labels\":{\"team\":\"storage\"}}}");
      assertThat(labelled.getMetadata().getLabels()).containsEntry("team", "storage");
      assertThat(labelled.getMetadata().getGeneration())
          .isEqualTo(before.getMetadata().getGeneration());
      assertThat(labelled.getSpec()).isEqualTo(before.getSpec());
      assertThat(labelled.getStatus()).isEqualTo(before.getStatus());
      QuiescedSnapshot stored = snapshots().withName("shared").get();
      assertThat(stored).isEqualTo(labelled);
      assertThat(Long.parseLong(stored.getMetadata().getResourceVersion()))
          .isGreaterThan(Long.parseLong(before.getMetadata().getResourceVersion()));
    }

    @Test
    void updateOfACustomResourceWithoutResourceVersionIsInvalid() throws Exception {
      client.resource(snapshot("unconditional", "vm-a")).create();
      // fabric8 always sends a resourceVersion on update, so send the PUT by hand
      HttpClient http = client.getHttpClient();
      String url =
          server.url(
              "/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots/unconditional");

      HttpResponse<String> response =
          http.sendAsync(
                  http.newHttpRequestBuilder()
                      .uri(url)
                      .put(
                          "application/json",
                          Serialization.asJson(snapshot("unconditional", "vm-b")))
                      .build(),
                  String.class)
              .get(10, TimeUnit.SECONDS);

      assertThat(response.code()).isEqualTo(422);
      assertThat(snapshots().withName("unconditional").get().getSpec().getSource())
          .isEqualTo("vm-a");
    }
  }

  @Nested
  class Finalizers {

    @Test
    void deleteWithFinalizersOnlyMarksTheObject() {
      QuiescedSnapshot snapshot = snapshot("marked", "vm-a");
      snapshot.getMetadata().setFinalizers(List.of("quiesce.io/cleanup"));
      client.resource(snapshot).create();

      snapshots().withName("marked").delete();

      QuiescedSnapshot live = snapshots().withName("marked").get();
      assertThat(live.getMetadata().getDeletionTimestamp()).isNotBlank();
      assertThat(live.getMetadata().getGeneration()).isEqualTo(2L);
      assertThatThrownBy(
              () ->
                  snapshots()
                      .withName("marked")
                      .edit(
                          s -> {
                            // HasMetadata.addFinalizer refuses this client-side; the server must
                            // refuse it too
                            s.getMetadata().getFinalizers().add("late.io/too-late");
                            return s;
                          }))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }

    @Test
    void removingTheLastFinalizerDeletesAndReturnsTheObject() {
      QuiescedSnapshot snapshot = snapshot("last", "vm-a");
      snapshot.getMetadata().setFinalizers(List.of("a.io/one", "b.io/two"));
      client.resource(snapshot).create();
      snapshots().withName("last").delete();

      snapshots()
          .withName("last")
          .edit(
              s -> {
                s.removeFinalizer("a.io/one");
                return s;
              });
      assertThat(snapshots().withName("last").get()).isNotNull();
      QuiescedSnapshot last =
          snapshots()
              .withName("last")
              .edit(
                  s -> {
                    s.removeFinalizer("b.io/two");
                    return s;
                  });

      assertThat(last).isNotNull();
      assertThat(last.getMetadata().getName()).isEqualTo("last");
      assertThat(last.getMetadata().getFinalizers()).isEmpty();
      assertThat(last.getMetadata().getDeletionTimestamp()).isNotBlank();
      assertThat(snapshots().withName("last").get()).isNull();
    }

    @Test
    void removingTheLastFinalizerWithAnUpdateDeletesToo() {
      QuiescedSnapshot snapshot = snapshot("last-put", "vm-a");
      snapshot.getMetadata().setFinalizers(List.of("a.io/one"));
      client.resource(snapshot).create();
      snapshots().withName("last-put").delete();

      QuiescedSnapshot terminating = snapshots().withName("last-put").get();
      terminating.getMetadata().setFinalizers(List.of());
      QuiescedSnapshot last = client.resource(terminating).update();

      assertThat(last.getMetadata().getName()).isEqualTo("last-put");
      assertThat(snapshots().withName("last-put").get()).isNull();
    }

    @Test
    void deleteWithoutFinalizersDeletesAtOnce() {
      client.resource(snapshot("plain", "vm-a")).create();

      snapshots().withName("plain").delete();

      assertThat(snapshots().withName("plain").get()).isNull();
    }
  }

  @Test
  void concurrentConditionalUpdatesLoseNothing() throws Exception {
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("counter")
                .withNamespace(ns)
                .endMetadata()
                .withData(Map.of("n", "0"))
                .build())
        .create();
    int writers = 4;
    int incrementsEach = 10;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        done.add(pool.submit(() -> incrementWithRetries(incrementsEach)));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }

      // a lost update (no 409 on a stale version, or a race inside the server) would show here
      assertThat(client.configMaps().inNamespace(ns).withName("counter").get().getData().get("n"))
          .isEqualTo(String.valueOf(writers * incrementsEach));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Read, increment, update with the read resourceVersion; on 409 read again. */
  private void incrementWithRetries(int increments) {
    for (int done = 0; done < increments; ) {
      ConfigMap current = client.configMaps().inNamespace(ns).withName("counter").get();
      current.getData().put("n", String.valueOf(Integer.parseInt(current.getData().get("n")) + 1));
      try {
        client.resource(current).update();
        done++;
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).isEqualTo(409);
      }
    }
  }

  @Test
  void setBasedLabelSelectorsFilterLists() {
    for (String tier : List.of("gold", "silver", "bronze")) {
      client
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(tier)
                  .withNamespace(ns)
                  .withLabels(Map.of("tier", tier))
                  .endMetadata()
                  .build())
          .create();
    }
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("unlabelled")
                .withNamespace(ns)
                .endMetadata()
                .build())
        .create();

    List<ConfigMap> in =
        client.configMaps().inNamespace(ns).withLabelIn("tier", "gold", "silver").list().getItems();
    List<ConfigMap> notIn =
        client.configMaps().inNamespace(ns).withLabelNotIn("tier", "gold").list().getItems();

    assertThat(in)
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("gold", "silver");
    assertThat(notIn)
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("silver", "bronze", "unlabelled");
  }

  @Test
  void recordedExpectationsInjectFailures() {
    client.resource(snapshot("flaky", "vm-a")).create();
    server
        .mockServer()
        .expect()
        .get()
        .withPath("/apis/quiesce.io/v1alpha1/namespaces/" + ns + "/quiescedsnapshots/flaky")
        .andReturn(403, "forbidden")
        .once();

    assertThatThrownBy(() -> snapshots().withName("flaky").get())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThat(snapshots().withName("flaky").get()).isNotNull();
  }

  private NonNamespaceOperation<QuiescedSnapshot, ?, Resource<QuiescedSnapshot>> snapshots() {
    return client.resources(QuiescedSnapshot.class).inNamespace(ns);
  }

  private static final String FIRST = "2026-11-25T01:30:00Z";
  private static final String SECOND = "2026-11-26T01:30:00Z";
  private static final String THIRD = "2026-11-27T01:30:00Z";

  private NonNamespaceOperation<QuiescedSnapshotSchedule, ?, Resource<QuiescedSnapshotSchedule>>
      schedules() {
    return client.resources(QuiescedSnapshotSchedule.class).inNamespace(ns);
  }

  /** A schedule, for the tests that change a spec (a QuiescedSnapshot's spec is immutable). */
  private QuiescedSnapshotSchedule schedule(String name) {
    return Serialization.unmarshal(
        """
                {"apiVersion":"quiesce.io/v1alpha1","kind":"QuiescedSnapshotSchedule",
                 "metadata":{"name":"%s","namespace":"%s"},
                 "spec":{"schedule":"@daily","vmSelector":{"matchLabels":{"backup":"daily"}}}}"""
            .formatted(name, ns),
        QuiescedSnapshotSchedule.class);
  }

  private static QuiescedSnapshotScheduleStatus scheduleStatus(String lastScheduleTime) {
    QuiescedSnapshotScheduleStatus status = new QuiescedSnapshotScheduleStatus();
    status.setLastScheduleTime(lastScheduleTime);
    return status;
  }

  private NonNamespaceOperation<VirtualMachine, ?, Resource<VirtualMachine>> vms() {
    return client.resources(VirtualMachine.class).inNamespace(ns);
  }

  private QuiescedSnapshot snapshot(String name, String vm) {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setName(name);
    snapshot.getMetadata().setNamespace(ns);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm);
    snapshot.setSpec(spec);
    return snapshot;
  }

  private static QuiescedSnapshotStatus status(SnapshotPhase phase) {
    QuiescedSnapshotStatus status = new QuiescedSnapshotStatus();
    status.setPhase(phase);
    return status;
  }

  private VirtualMachine vmWithVolumes(String name, String... claims) {
    StringBuilder volumes = new StringBuilder();
    for (String claim : claims) {
      volumes
          .append(volumes.length() == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(claim)
          .append("\",\"persistentVolumeClaim\":{\"claimName\":\"")
          .append(claim)
          .append("\"}}");
    }
    return Serialization.unmarshal(
        """
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine",
                 "metadata":{"name":"%s","namespace":"%s"},
                 "spec":{"runStrategy":"Always","template":{"spec":{"domain":{"devices":{}},"volumes":[%s]}}}}"""
            .formatted(name, ns, volumes),
        VirtualMachine.class);
  }
}
