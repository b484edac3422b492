package io.quiesce.kube.kubevirt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quiesce.kube.OpenObject;

/**
 * A condition of an instance. Unlike {@code metav1.Condition} it has {@code lastProbeTime} and no
 * {@code observedGeneration}, as upstream defines it.
 */
public class VirtualMachineInstanceCondition extends OpenObject {
  /** Some condition types KubeVirt reports. */
  public static final String READY = "Ready";

  public static final String AGENT_CONNECTED = "AgentConnected";
  public static final String LIVE_MIGRATABLE = "LiveMigratable";
  public static final String PAUSED = "Paused";

  private String type;

  /** "True", "False" or "Unknown". */
  private String status;

  private String reason;
  private String message;
  private String lastProbeTime;
  private String lastTransitionTime;

  public VirtualMachineInstanceCondition() {}

  public VirtualMachineInstanceCondition(String type, String status) {
    this.type = type;
    this.status = status;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getLastProbeTime() {
    return lastProbeTime;
  }

  public void setLastProbeTime(String lastProbeTime) {
    this.lastProbeTime = lastProbeTime;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  /** True when {@code status} is "True". */
  @JsonIgnore
  public boolean isTrue() {
    return "True".equals(status);
  }
}
