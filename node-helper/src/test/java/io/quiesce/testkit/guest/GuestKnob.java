package io.quiesce.testkit.guest;

/**
 * One-shot fault knobs of the test guest, files under {@code /run/qga-test} (see hack/qga-vm.sh).
 */
public enum GuestKnob {
  /**
   * Value N: the guest kills {@code qemu-ga} with SIGKILL N seconds later; a supervisor restarts
   * it.
   */
  KILL_AGENT_IN("kill-agent-in"),
  /** Value N: the next fsfreeze 'freeze' hook sleeps N seconds before the agent freezes. */
  SLOW_FREEZE_HOOK("slow-freeze-hook"),
  /** No value: the next fsfreeze 'freeze' hook kills {@code qemu-ga}. */
  KILL_IN_FREEZE_HOOK("kill-in-freeze-hook"),
  /**
   * Value T: the next fsfreeze 'freeze' hook (the agent's own {@code --fsfreeze-hook}, inside the
   * freeze call) writes {@code freeze-hook-marker T} to {@code /data/fsfreeze-hook.marker}.
   */
  FREEZE_MARKER("freeze-marker");

  private final String fileName;

  GuestKnob(String fileName) {
    this.fileName = fileName;
  }

  /** The knob's file name under {@code /run/qga-test}. */
  public String fileName() {
    return fileName;
  }
}
