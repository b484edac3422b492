package io.quiesce.hooks;

import java.time.Duration;

/** Waits between two polls of a running hook; tests pass one that moves a fake clock. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL = d -> Thread.sleep(Math.max(1, d.toMillis()));

  void sleep(Duration duration) throws InterruptedException;
}
