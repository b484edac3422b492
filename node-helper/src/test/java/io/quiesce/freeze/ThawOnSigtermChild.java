package io.quiesce.freeze;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Run by {@link ThawOnSigtermTest} in its own JVM: freezes a {@link FakeGuestAgent} guest for a
 * minute, prints the agent's state changes and {@code ready}, and waits to be terminated.
 */
public final class ThawOnSigtermChild {
  private ThawOnSigtermChild() {}

  public static void main(String[] args) throws InterruptedException {
    FakeGuestAgent agent = new FakeGuestAgent();
    agent.onStateChange(state -> System.out.println("agent " + state));
    FreezeEngine engine =
        FreezeEngine.create(
            guest -> agent.connect(),
            FreezeEngineConfig.builder().build(),
            new SimpleMeterRegistry());
    engine.installShutdownHook(Duration.ofSeconds(5));
    engine.freeze(new GuestRef("ns", "vm"), FreezeOptions.allFilesystems(Duration.ofSeconds(60)));
    System.out.println("ready");
    new CountDownLatch(1).await();
  }
}
