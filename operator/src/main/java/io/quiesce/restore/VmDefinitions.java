package io.quiesce.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.ApiValues;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VmDefinition;
import io.quiesce.kube.kubevirt.VirtualMachine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Captures a VM's definition for {@code status.vmDefinition} of a snapshot: spec, labels and
 * annotations, minus what describes a running object (status, uid, resourceVersion, managedFields,
 * kubectl's last-applied copy, KubeVirt's observed API versions), within {@link
 * VmDefinition#MAX_BYTES}.
 */
public final class VmDefinitions {
  /** Annotations that describe the stored object rather than the VM a restore should build. */
  static final Set<String> RUNTIME_ANNOTATIONS =
      Set.of(
          "kubectl.kubernetes.io/last-applied-configuration",
          "kubevirt.io/latest-observed-api-version",
          "kubevirt.io/storage-observed-api-version");

  private VmDefinitions() {}

  /**
   * Puts the VM's definition into {@code next} when {@code next} is the write that starts {@code
   * snapshot} (its stored phase is Pending, the next one is not): the definition is then the one
   * the VolumeSnapshots are cut of. Later writes never carry it (a merge patch keeps it).
   */
  public static void captureAtStart(
      QuiescedSnapshot snapshot, Optional<VirtualMachine> vm, QuiescedSnapshotStatus next) {
    QuiescedSnapshotStatus stored = snapshot.getStatus();
    boolean pending =
        stored == null || stored.getPhase() == null || stored.getPhase() == SnapshotPhase.Pending;
    if (next == null
        || vm.isEmpty()
        || !pending
        || next.getPhase() == null
        || next.getPhase() == SnapshotPhase.Pending
        || stored != null && stored.getVmDefinition() != null) {
      return;
    }
    next.setVmDefinition(capture(vm.get()));
  }

  /**
   * The planned members of a group snapshot, each with its VM's definition (half of a single VM's
   * bound each, so that 16 members stay well inside an object's size limit); a member whose VM is
   * not in {@code vms} (left out of the group) is returned as it is.
   */
  public static List<GroupMember> withDefinitions(
      List<GroupMember> planned, Map<String, VirtualMachine> vms) {
    List<GroupMember> members = new ArrayList<>();
    for (GroupMember m : planned) {
      VirtualMachine vm = vms.get(m.getVm());
      if (vm == null || m.getVmDefinition() != null) {
        members.add(m);
        continue;
      }
      GroupMember copy = ApiValues.copy(m);
      copy.setVmDefinition(capture(vm, MEMBER_MAX_BYTES));
      members.add(copy);
    }
    return List.copyOf(members);
  }

  /** The bound of one member's definition in a group snapshot. */
  static final int MEMBER_MAX_BYTES = VmDefinition.MAX_BYTES / 2;

  /**
   * The definition of {@code vm}, or only the reason it was left out when it is above the bound.
   */
  public static VmDefinition capture(VirtualMachine vm) {
    return capture(vm, VmDefinition.MAX_BYTES);
  }

  static VmDefinition capture(VirtualMachine vm, int maxBytes) {
    ObjectMapper json = Serialization.jsonMapper();
    JsonNode spec = json.valueToTree(vm.getSpec() == null ? Map.of() : vm.getSpec());
    Map<String, String> labels =
        vm.getMetadata().getLabels() == null
            ? Map.of()
            : new TreeMap<>(vm.getMetadata().getLabels());
    Map<String, String> annotations = new TreeMap<>();
    if (vm.getMetadata().getAnnotations() != null) {
      vm.getMetadata()
          .getAnnotations()
          .forEach(
              (k, v) -> {
                if (!RUNTIME_ANNOTATIONS.contains(k)) {
                  annotations.put(k, v);
                }
              });
    }
    VmDefinition definition = new VmDefinition();
    definition.setSpec(spec);
    definition.setLabels(labels.isEmpty() ? null : labels);
    definition.setAnnotations(annotations.isEmpty() ? null : annotations);
    long size = sizeOf(json, definition);
    if (size > maxBytes) {
      VmDefinition omitted = new VmDefinition();
      omitted.setSizeBytes(size);
      omitted.setOmittedReason(
          "the VM's definition is "
              + size
              + " bytes, above the bound of "
              + maxBytes
              + " bytes kept in a snapshot's status; a restore into a new VM needs it, in place does not");
      return omitted;
    }
    definition.setSizeBytes(size);
    return definition;
  }

  private static long sizeOf(ObjectMapper json, VmDefinition definition) {
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("spec", definition.getSpec());
    parts.put("labels", definition.getLabels());
    parts.put("annotations", definition.getAnnotations());
    try {
      return json.writeValueAsString(parts).getBytes(StandardCharsets.UTF_8).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a VM read from the API cannot be written back as JSON", e);
    }
  }
}
