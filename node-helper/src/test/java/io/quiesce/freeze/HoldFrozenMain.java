package io.quiesce.freeze;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.agent.QgaClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Test program: a helper process that freezes one guest through the engine (watchdog far in the
 * future), says {@code FROZEN <n>} on stdout and then waits to be killed. It stands for a node
 * helper that dies with SIGKILL in the middle of a freeze window.
 */
public final class HoldFrozenMain {
  private HoldFrozenMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path socket = Path.of(args[0]);
    Duration timeout = Duration.ofSeconds(Long.parseLong(args[1]));
    FreezeEngine engine =
        FreezeEngine.create(
            guest -> new QgaClient(socket),
            FreezeEngineConfig.builder().maxFreezeTimeout(timeout).build(),
            new SimpleMeterRegistry());
    FreezeSession session =
        engine.freeze(
            new GuestRef("socket", socket.toString()), FreezeOptions.allFilesystems(timeout));
    System.out.println("FROZEN " + session.filesystemsFrozen());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
