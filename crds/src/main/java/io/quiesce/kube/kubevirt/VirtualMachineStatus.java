package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** Observed state of a VirtualMachine, as virt-controller reports it. */
public class VirtualMachineStatus extends OpenObject {
  /**
   * Some values of {@code printableStatus} (upstream has more, e.g. Migrating, Paused,
   * ErrorUnschedulable).
   */
  public static final String PRINTABLE_STATUS_RUNNING = "Running";

  public static final String PRINTABLE_STATUS_STOPPED = "Stopped";
  public static final String PRINTABLE_STATUS_MIGRATING = "Migrating";

  private String printableStatus;
  private Boolean ready;
  private Boolean created;

  public String getPrintableStatus() {
    return printableStatus;
  }

  public void setPrintableStatus(String printableStatus) {
    this.printableStatus = printableStatus;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public Boolean getCreated() {
    return created;
  }

  public void setCreated(Boolean created) {
    this.created = created;
  }
}
