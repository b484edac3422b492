package io.quiesce.freeze;

import java.time.Instant;

/**
 * One live freeze of one guest, from {@link FreezeEngine#freeze}. Thaw it with {@link #thaw()} as
 * soon as the work is done; the engine's watchdog thaws it at {@link #deadline()} anyway.
 */
public final class FreezeSession implements AutoCloseable {
  private final FreezeEngine engine;
  private final GuestHold hold;

  FreezeSession(FreezeEngine engine, GuestHold hold) {
    this.engine = engine;
    this.hold = hold;
  }

  /** The frozen guest. */
  public GuestRef guest() {
    return hold.guest();
  }

  /** Just before the freeze command was sent. */
  public Instant start() {
    return hold.freezeStart();
  }

  /** When the watchdog thaws the guest if nobody did before. */
  public Instant deadline() {
    return hold.deadline();
  }

  /** What the freeze reply counted; 0 means nothing was frozen (not filesystem-consistent). */
  public int filesystemsFrozen() {
    return hold.filesystemsFrozen();
  }

  /**
   * True when the guest was found frozen without a freeze of ours and was thawed before this
   * freeze.
   */
  public boolean staleFreezeThawedFirst() {
    return hold.staleFreezeThawedFirst();
  }

  /** True once the freeze has ended: thawed, or its thaw given up on. */
  public boolean ended() {
    return hold.window.isDone();
  }

  /**
   * Thaws the guest and waits until the agent confirms it (bounded). Idempotent: later calls, and
   * calls after the watchdog thawed, return the same window.
   *
   * @throws ThawNotConfirmedException when the agent did not confirm the thaw in the configured
   *     time (the guest stays on the engine's needs-thaw list)
   */
  public FreezeWindow thaw() {
    return engine.thaw(hold);
  }

  /** Same as {@link #thaw()}. */
  @Override
  public void close() {
    thaw();
  }
}
