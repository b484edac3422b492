package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.RestorePhase;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.restore.RestoreAction.CreateClaims;
import io.quiesce.restore.RestoreAction.CreateVm;
import io.quiesce.restore.RestoreAction.DeleteClaims;
import io.quiesce.restore.RestoreAction.ProtectSource;
import io.quiesce.restore.RestoreAction.ReleaseSource;
import io.quiesce.restore.RestoreAction.StopVm;
import io.quiesce.restore.RestoreAction.UpdateVm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does the work of a {@link RestoreAction}; every write is idempotent, so a resumed restore may
 * repeat it.
 */
final class RestoreActions {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreActions.class);

  private final KubernetesClient client;

  RestoreActions(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The object changed since it was read (409): nothing more is done, the next reconcile decides
   * again.
   */
  static final class ConflictException extends RuntimeException {
    ConflictException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  void apply(QuiescedSnapshotRestore restore, RestoreAction action) {
    String ns = restore.getMetadata().getNamespace();
    if (action instanceof ProtectSource p) {
      editFinalizers(ns, p.snapshot(), true);
    } else if (action instanceof ReleaseSource r) {
      release(restore, r.snapshot());
    } else if (action instanceof StopVm s) {
      patchVm(ns, s.vm(), null, Map.of("runStrategy", "Halted", "running", nullValue()));
    } else if (action instanceof CreateClaims c) {
      c.claims().forEach(this::createClaim);
    } else if (action instanceof CreateVm c) {
      createVm(c.vm());
    } else if (action instanceof UpdateVm u) {
      patchVm(ns, u.vm(), u.resourceVersion(), u.specPatch());
    } else if (action instanceof DeleteClaims d) {
      d.claims()
          .forEach(name -> client.persistentVolumeClaims().inNamespace(ns).withName(name).delete());
    } else {
      throw new IllegalArgumentException("unknown action " + action);
    }
  }

  /**
   * Takes the source finalizer off unless another restore in progress (any restore not Succeeded or
   * Failed) in the namespace reads the same snapshot. Read live, not from a cache: a restore
   * created a moment ago must count.
   */
  void release(QuiescedSnapshotRestore restore, String snapshot) {
    String ns = restore.getMetadata().getNamespace();
    boolean othersRead =
        client.resources(QuiescedSnapshotRestore.class).inNamespace(ns).list().getItems().stream()
            .filter(r -> !r.getMetadata().getUid().equals(restore.getMetadata().getUid()))
            .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
            .filter(r -> r.getSpec() != null && snapshot.equals(r.getSpec().getSource()))
            .anyMatch(
                r ->
                    r.getStatus() == null
                        || r.getStatus().getPhase() == null
                        || r.getStatus().getPhase() != RestorePhase.Succeeded
                            && r.getStatus().getPhase() != RestorePhase.Failed);
    if (!othersRead) {
      editFinalizers(ns, snapshot, false);
    }
  }

  /**
   * Adds or removes the source finalizer with a JSON merge patch based on the snapshot's
   * resourceVersion.
   */
  private void editFinalizers(String ns, String snapshot, boolean add) {
    var resource = client.resources(QuiescedSnapshot.class).inNamespace(ns).withName(snapshot);
    QuiescedSnapshot s = resource.get();
    if (s == null) {
      return;
    }
    List<String> finalizers =
        new ArrayList<>(
            s.getMetadata().getFinalizers() == null ? List.of() : s.getMetadata().getFinalizers());
    boolean has = finalizers.contains(QuiescedSnapshotRestore.SOURCE_FINALIZER);
    if (has == add) {
      return;
    }
    if (add) {
      finalizers.add(QuiescedSnapshotRestore.SOURCE_FINALIZER);
    } else {
      finalizers.remove(QuiescedSnapshotRestore.SOURCE_FINALIZER);
    }
    Map<String, Object> metadata = new HashMap<>();
    metadata.put("finalizers", finalizers);
    metadata.put("resourceVersion", s.getMetadata().getResourceVersion());
    try {
      resource.patch(
          PatchContext.of(PatchType.JSON_MERGE),
          Serialization.asJson(Map.of("metadata", metadata)));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new ConflictException(
            "QuiescedSnapshot "
                + ns
                + "/"
                + snapshot
                + " changed while its finalizers "
                + "were edited",
            e);
      }
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private void createClaim(PersistentVolumeClaim claim) {
    try {
      client
          .persistentVolumeClaims()
          .inNamespace(claim.getMetadata().getNamespace())
          .resource(claim)
          .create();
      LOG.info(
          "created PVC {}/{} from VolumeSnapshot {}",
          claim.getMetadata().getNamespace(),
          claim.getMetadata().getName(),
          claim.getSpec().getDataSourceRef().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode()
          != 409) { // made by an earlier reconcile; the state machine checks whose it is
        throw e;
      }
    }
  }

  private void createVm(VirtualMachine vm) {
    try {
      client
          .resources(VirtualMachine.class)
          .inNamespace(vm.getMetadata().getNamespace())
          .resource(vm)
          .create();
      LOG.info(
          "created VirtualMachine {}/{}",
          vm.getMetadata().getNamespace(),
          vm.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private void patchVm(
      String ns, String vm, String resourceVersion, Map<String, Object> specPatch) {
    Map<String, Object> body = new HashMap<>();
    body.put("spec", specPatch);
    if (resourceVersion != null) {
      body.put("metadata", Map.of("resourceVersion", resourceVersion));
    }
    try {
      client
          .resources(VirtualMachine.class)
          .inNamespace(ns)
          .withName(vm)
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(body));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new ConflictException(
            "VirtualMachine " + ns + "/" + vm + " changed since it was read", e);
      }
      throw e;
    }
  }

  /** A JSON null in a merge patch (removes the field); Map.of refuses null values. */
  private static Object nullValue() {
    return com.fasterxml.jackson.databind.node.NullNode.getInstance();
  }
}
