package io.quiesce.kube.kubevirt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quiesce.kube.OpenObject;

/** The latest live migration of an instance, if any (it stays after the migration ends). */
public class VirtualMachineInstanceMigrationState extends OpenObject {
  private String migrationUid;
  private String sourceNode;
  private String targetNode;
  private String sourcePod;
  private String targetPod;
  private String startTimestamp;
  private String endTimestamp;
  private Boolean completed;
  private Boolean failed;
  private Boolean abortRequested;

  public String getMigrationUid() {
    return migrationUid;
  }

  public void setMigrationUid(String migrationUid) {
    this.migrationUid = migrationUid;
  }

  public String getSourceNode() {
    return sourceNode;
  }

  public void setSourceNode(String sourceNode) {
    this.sourceNode = sourceNode;
  }

  public String getTargetNode() {
    return targetNode;
  }

  public void setTargetNode(String targetNode) {
    this.targetNode = targetNode;
  }

  public String getSourcePod() {
    return sourcePod;
  }

  public void setSourcePod(String sourcePod) {
    this.sourcePod = sourcePod;
  }

  public String getTargetPod() {
    return targetPod;
  }

  public void setTargetPod(String targetPod) {
    this.targetPod = targetPod;
  }

  public String getStartTimestamp() {
    return startTimestamp;
  }

  public void setStartTimestamp(String startTimestamp) {
    this.startTimestamp = startTimestamp;
  }

  public String getEndTimestamp() {
    return endTimestamp;
  }

  public void setEndTimestamp(String endTimestamp) {
    this.endTimestamp = endTimestamp;
  }

  public Boolean getCompleted() {
    return completed;
  }

  public void setCompleted(Boolean completed) {
    this.completed = completed;
  }

  public Boolean getFailed() {
    return failed;
  }

  public void setFailed(Boolean failed) {
    this.failed = failed;
  }

  public Boolean getAbortRequested() {
    return abortRequested;
  }

  public void setAbortRequested(Boolean abortRequested) {
    this.abortRequested = abortRequested;
  }

  /** True while a migration has started and has neither completed nor failed. */
  @JsonIgnore
  public boolean isInProgress() {
    return startTimestamp != null
        && !Boolean.TRUE.equals(completed)
        && !Boolean.TRUE.equals(failed);
  }
}
