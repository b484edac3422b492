package io.quiesce.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.NewVmTarget;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.RunStrategy;
import io.quiesce.api.v1alpha1.VmDefinition;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.kube.kubevirt.VirtualMachineSpec;
import io.quiesce.naming.ChildNames;
import io.quiesce.naming.Provenance;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The VM side of a restore, pure: a new VM built from a snapshot's {@link VmDefinition}, and the
 * patch that re-points a VM's volumes in place. Volumes backed by a DataVolume become plain {@code
 * persistentVolumeClaim} volumes of the restored PVC, and their {@code dataVolumeTemplates} entry
 * is dropped: the data comes from the VolumeSnapshot, not from CDI's import.
 */
final class RestoredVm {
  /**
   * Labels whose value names the VM; a new VM gets its own name there, so selectors do not catch
   * both.
   */
  static final List<String> NAME_LABELS =
      List.of("kubevirt.io/vm", "vm.kubevirt.io/name", "kubevirt.io/domain");

  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private RestoredVm() {}

  /** Volume name to claim name, for every volume of the spec backed by a PVC or a DataVolume. */
  static Map<String, String> claimVolumes(JsonNode vmSpec) {
    Map<String, String> claims = new LinkedHashMap<>();
    for (JsonNode v : vmSpec.at("/template/spec/volumes")) {
      String claim = v.at("/persistentVolumeClaim/claimName").asText(null);
      if (claim == null) {
        claim = v.at("/dataVolume/name").asText(null);
      }
      if (claim != null) {
        claims.put(v.path("name").asText(), claim);
      }
    }
    return claims;
  }

  static JsonNode specOf(VirtualMachine vm) {
    return JSON.valueToTree(vm.getSpec() == null ? new VirtualMachineSpec() : vm.getSpec());
  }

  /**
   * Whether the VM's volumes point at these claims already (a resumed restore updated it before).
   */
  static boolean pointsAt(VirtualMachine vm, Map<String, String> volumeToClaim) {
    Map<String, String> now = claimVolumes(specOf(vm));
    return volumeToClaim.entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey())))
        && volumeToClaim.keySet().stream().noneMatch(v -> isDataVolume(specOf(vm), v));
  }

  /**
   * The new VM: the captured spec with its volumes re-pointed, new MAC addresses and firmware UUID
   * unless told to keep them, the chosen run strategy, and labels naming it instead of the source
   * VM.
   */
  static VirtualMachine newVm(
      QuiescedSnapshotRestore restore,
      QuiescedSnapshot source,
      VmDefinition definition,
      Map<String, String> volumeToClaim) {
    NewVmTarget target = restore.getSpec().getTarget().getNewVM();
    String name = target.getName();
    String sourceVm = source.getSpec().getSource();
    ObjectNode spec = definition.getSpec().deepCopy();
    repoint(spec, volumeToClaim);
    RunStrategy strategy =
        target.getRunStrategy() == null
            ? NewVmTarget.DEFAULT_RUN_STRATEGY
            : target.getRunStrategy();
    spec.remove("running");
    spec.put("runStrategy", strategy.name());
    String seed =
        restore.getMetadata().getUid() != null
            ? restore.getMetadata().getUid()
            : restore.getMetadata().getNamespace() + "/" + restore.getMetadata().getName();
    if (!Boolean.TRUE.equals(target.getKeepMacAddresses())) {
      for (JsonNode iface : spec.at("/template/spec/domain/devices/interfaces")) {
        if (iface.has("macAddress")) {
          ((ObjectNode) iface).put("macAddress", mac(seed + "/" + iface.path("name").asText()));
        }
      }
    }
    if (!Boolean.TRUE.equals(target.getKeepFirmwareUUID())) {
      JsonNode firmware = spec.at("/template/spec/domain/firmware");
      if (firmware.has("uuid")) {
        ((ObjectNode) firmware)
            .put(
                "uuid",
                UUID.nameUUIDFromBytes((seed + "/firmware").getBytes(StandardCharsets.UTF_8))
                    .toString());
      }
    }
    JsonNode templateLabels = spec.at("/template/metadata/labels");
    if (templateLabels.isObject()) {
      renameLabels((ObjectNode) templateLabels, sourceVm, name);
    }
    VirtualMachine vm = new VirtualMachine();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace(restore.getMetadata().getNamespace());
    Map<String, String> labels =
        new TreeMap<>(definition.getLabels() == null ? Map.of() : definition.getLabels());
    labels.replaceAll((k, v) -> NAME_LABELS.contains(k) && v.equals(sourceVm) ? name : v);
    labels.put(
        QuiescedSnapshotRestore.RESTORE_LABEL,
        ChildNames.labelValue(restore.getMetadata().getName()));
    labels.put(Provenance.MANAGED_BY, Provenance.MANAGED_BY_VALUE);
    vm.getMetadata().setLabels(labels);
    Map<String, String> annotations =
        new TreeMap<>(definition.getAnnotations() == null ? Map.of() : definition.getAnnotations());
    annotations.put(
        QuiescedSnapshotRestore.RESTORED_FROM_ANNOTATION, source.getMetadata().getName());
    vm.getMetadata().setAnnotations(annotations);
    vm.setSpec(JSON.convertValue(spec, VirtualMachineSpec.class));
    return vm;
  }

  /**
   * The merge patch of an in-place restore: the whole volume list (a merge patch replaces lists)
   * with the restored claims, the DataVolume templates of those volumes dropped, and, when given,
   * the run strategy to set ({@code running} is cleared, KubeVirt refuses both).
   */
  static Map<String, Object> inPlacePatch(
      VirtualMachine vm, Map<String, String> volumeToClaim, String runStrategy) {
    ObjectNode spec = (ObjectNode) specOf(vm);
    List<String> droppedTemplates = repoint(spec, volumeToClaim);
    Map<String, Object> patch = new HashMap<>();
    Map<String, Object> templateSpec = new HashMap<>();
    templateSpec.put("volumes", JSON.convertValue(spec.at("/template/spec/volumes"), List.class));
    patch.put("template", Map.of("spec", templateSpec));
    if (!droppedTemplates.isEmpty()) {
      patch.put(
          "dataVolumeTemplates", JSON.convertValue(spec.path("dataVolumeTemplates"), List.class));
    }
    if (runStrategy != null) {
      patch.put("runStrategy", runStrategy);
      patch.put(
          "running",
          com.fasterxml.jackson.databind.node.NullNode.getInstance()); // KubeVirt refuses both
    }
    return patch;
  }

  /**
   * Points each volume at its restored claim; returns the names of the DataVolume templates
   * dropped.
   */
  private static List<String> repoint(ObjectNode spec, Map<String, String> volumeToClaim) {
    List<String> dropped = new java.util.ArrayList<>();
    for (JsonNode v : spec.at("/template/spec/volumes")) {
      String claim = volumeToClaim.get(v.path("name").asText());
      if (claim == null) {
        continue;
      }
      ObjectNode volume = (ObjectNode) v;
      if (volume.has("dataVolume")) {
        dropped.add(volume.at("/dataVolume/name").asText());
        volume.remove("dataVolume");
      }
      ObjectNode pvc =
          volume.has("persistentVolumeClaim")
              ? (ObjectNode) volume.get("persistentVolumeClaim")
              : volume.putObject("persistentVolumeClaim");
      pvc.put("claimName", claim);
    }
    JsonNode templates = spec.path("dataVolumeTemplates");
    if (templates.isArray() && !dropped.isEmpty()) {
      for (Iterator<JsonNode> it = ((ArrayNode) templates).elements(); it.hasNext(); ) {
        if (dropped.contains(it.next().at("/metadata/name").asText())) {
          it.remove();
        }
      }
    }
    return dropped;
  }

  private static boolean isDataVolume(JsonNode spec, String volume) {
    for (JsonNode v : spec.at("/template/spec/volumes")) {
      if (volume.equals(v.path("name").asText()) && v.has("dataVolume")) {
        return true;
      }
    }
    return false;
  }

  private static void renameLabels(ObjectNode labels, String from, String to) {
    for (String key : NAME_LABELS) {
      if (from.equals(labels.path(key).asText(null))) {
        labels.put(key, to);
      }
    }
  }

  /**
   * A locally administered unicast MAC derived from {@code seed}: the same restore always gets the
   * same one.
   */
  static String mac(String seed) {
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return String.format("02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
  }
}
