package io.quiesce.restore;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.InPlaceTarget;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestoreSpec;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.api.v1alpha1.RestoreTarget;
import io.quiesce.api.v1alpha1.RunStrategy;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.events.EventRecorder;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.snapshot.SnapshotTestAccess;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Shared setup of the restore integration tests: the operator (snapshots + restores), CR builders,
 * waits.
 */
final class RestoreTestBed {
  final KubeApiServer server;
  final KubernetesClient client;
  final String ns;

  RestoreTestBed(KubeApiServer server, KubernetesClient client, String prefix) {
    this.server = server;
    this.client = client;
    this.ns = server.createNamespace(prefix);
  }

  /** The snapshot and restore reconcilers in one operator, on a client of their own. */
  QuiesceTestOperator startOperator() {
    return startOperator(server);
  }

  static QuiesceTestOperator startOperator(KubeApiServer server) {
    KubernetesClient operatorClient = server.newClient();
    return QuiesceTestOperator.start(
        operatorClient,
        SnapshotTestAccess.snapshotReconciler(operatorClient),
        new QuiescedSnapshotRestoreReconciler(
            operatorClient,
            new EventRecorder(
                operatorClient,
                EventRecorder.Reporter.operator("test"),
                Clock.systemUTC(),
                Runnable::run),
            Clock.systemUTC(),
            Duration.ofMillis(200)));
  }

  QuiescedSnapshot snapshot(String name, String vm) {
    client.resource(SnapshotTestAccess.stoppedVmSnapshot(ns, name, vm)).create();
    return SnapshotTestAccess.awaitPhase(client, ns, name, SnapshotPhase.Succeeded);
  }

  QuiescedSnapshotRestore newVm(String name, String snapshot, String vm, String targetNamespace) {
    NewVmTarget target = new NewVmTarget();
    target.setName(vm);
    target.setNamespace(targetNamespace);
    target.setRunStrategy(RunStrategy.Always);
    RestoreTarget t = new RestoreTarget();
    t.setNewVM(target);
    return create(name, snapshot, t);
  }

  QuiescedSnapshotRestore inPlace(String name, String snapshot, boolean stopVM) {
    InPlaceTarget target = new InPlaceTarget();
    target.setStopVM(stopVM);
    target.setPreviousVolumes(InPlaceTarget.PreviousVolumesPolicy.Keep);
    RestoreTarget t = new RestoreTarget();
    t.setInPlace(target);
    return create(name, snapshot, t);
  }

  private QuiescedSnapshotRestore create(String name, String snapshot, RestoreTarget target) {
    return create(name, snapshot, target, null, null);
  }

  /** A restore with the options of a group's restore. */
  QuiescedSnapshotRestore create(
      String name,
      String snapshot,
      RestoreTarget target,
      Boolean allowCrashConsistent,
      List<String> members) {
    QuiescedSnapshotRestore r = new QuiescedSnapshotRestore();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(ns);
    QuiescedSnapshotRestoreSpec spec = new QuiescedSnapshotRestoreSpec();
    spec.setSource(snapshot);
    spec.setTarget(target);
    spec.setAllowCrashConsistent(allowCrashConsistent);
    spec.setMembers(members);
    r.setSpec(spec);
    return client.resource(r).create();
  }

  QuiescedSnapshotRestore restore(String name) {
    return client.resources(QuiescedSnapshotRestore.class).inNamespace(ns).withName(name).get();
  }

  QuiescedSnapshotRestore awaitPhase(String name, RestorePhase phase) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> restore(name),
            r -> r != null && r.getStatus() != null && r.getStatus().getPhase() == phase);
  }

  VirtualMachine vm(String name) {
    return client.resources(VirtualMachine.class).inNamespace(ns).withName(name).get();
  }

  QuiescedSnapshot source(String name) {
    return client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(name).get();
  }

  boolean held(String snapshot) {
    QuiescedSnapshot s = source(snapshot);
    return s != null
        && s.getMetadata().getFinalizers().contains(QuiescedSnapshotRestore.SOURCE_FINALIZER);
  }

  List<PersistentVolumeClaim> restoredClaims(String restore) {
    return client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .withLabel(QuiescedSnapshotRestore.RESTORE_LABEL, restore)
        .list()
        .getItems();
  }

  List<Event> events(String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
