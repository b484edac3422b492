package io.quiesce.kube.kubevirt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quiesce.kube.OpenObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Observed state of an instance: where it runs, its pods, its agent, its migration, its volumes.
 */
public class VirtualMachineInstanceStatus extends OpenObject {
  /** Values of {@code phase}. */
  public static final String PHASE_PENDING = "Pending";

  public static final String PHASE_SCHEDULING = "Scheduling";
  public static final String PHASE_SCHEDULED = "Scheduled";
  public static final String PHASE_RUNNING = "Running";
  public static final String PHASE_SUCCEEDED = "Succeeded";
  public static final String PHASE_FAILED = "Failed";
  public static final String PHASE_UNKNOWN = "Unknown";

  /** The value of {@code fsFreezeStatus} while the guest is frozen; it is absent when thawed. */
  public static final String FS_FROZEN = "frozen";

  private String nodeName;
  private String phase;
  private String reason;
  private List<VirtualMachineInstanceCondition> conditions;

  /** virt-launcher pods of this instance: pod UID to node name (two during a migration). */
  private Map<String, String> activePods;

  private VirtualMachineInstanceMigrationState migrationState;
  private List<VolumeStatus> volumeStatus;
  private String fsFreezeStatus;

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public List<VirtualMachineInstanceCondition> getConditions() {
    return conditions;
  }

  public void setConditions(List<VirtualMachineInstanceCondition> conditions) {
    this.conditions = conditions;
  }

  public Map<String, String> getActivePods() {
    return activePods;
  }

  public void setActivePods(Map<String, String> activePods) {
    this.activePods = activePods;
  }

  public VirtualMachineInstanceMigrationState getMigrationState() {
    return migrationState;
  }

  public void setMigrationState(VirtualMachineInstanceMigrationState migrationState) {
    this.migrationState = migrationState;
  }

  public List<VolumeStatus> getVolumeStatus() {
    return volumeStatus;
  }

  public void setVolumeStatus(List<VolumeStatus> volumeStatus) {
    this.volumeStatus = volumeStatus;
  }

  public String getFsFreezeStatus() {
    return fsFreezeStatus;
  }

  public void setFsFreezeStatus(String fsFreezeStatus) {
    this.fsFreezeStatus = fsFreezeStatus;
  }

  /** The condition of the given type, if reported. */
  @JsonIgnore
  public Optional<VirtualMachineInstanceCondition> condition(String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when virt-handler reports the guest agent connected ({@code AgentConnected=True}). */
  @JsonIgnore
  public boolean isAgentConnected() {
    return condition(VirtualMachineInstanceCondition.AGENT_CONNECTED)
        .map(VirtualMachineInstanceCondition::isTrue)
        .orElse(false);
  }
}
