package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/**
 * Desired state of a VirtualMachine. {@code running} and {@code runStrategy} are exclusive
 * upstream.
 */
public class VirtualMachineSpec extends OpenObject {
  /** Values of {@code runStrategy}. */
  public static final String RUN_STRATEGY_ALWAYS = "Always";

  public static final String RUN_STRATEGY_HALTED = "Halted";
  public static final String RUN_STRATEGY_MANUAL = "Manual";
  public static final String RUN_STRATEGY_RERUN_ON_FAILURE = "RerunOnFailure";
  public static final String RUN_STRATEGY_ONCE = "Once";

  private Boolean running;
  private String runStrategy;
  private VirtualMachineInstanceTemplateSpec template;

  public Boolean getRunning() {
    return running;
  }

  public void setRunning(Boolean running) {
    this.running = running;
  }

  public String getRunStrategy() {
    return runStrategy;
  }

  public void setRunStrategy(String runStrategy) {
    this.runStrategy = runStrategy;
  }

  public VirtualMachineInstanceTemplateSpec getTemplate() {
    return template;
  }

  public void setTemplate(VirtualMachineInstanceTemplateSpec template) {
    this.template = template;
  }
}
