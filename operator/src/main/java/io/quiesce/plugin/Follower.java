package io.quiesce.plugin;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows one named object with a watch (an informer on its name: list, then watch, re-listing
 * after a dropped watch), handing each state it sees to the caller in order; no polling.
 *
 * @param <T> the object's type
 */
final class Follower<T extends HasMetadata> implements AutoCloseable {
  /** A state of the object; {@code object} empty once it is deleted. */
  record Change<T>(Optional<T> object) {}

  private final BlockingQueue<Change<T>> changes = new LinkedBlockingQueue<>();
  private final SharedIndexInformer<T> informer;
  private final Clock clock;

  Follower(Resource<T> resource, Clock clock) {
    this.clock = clock;
    this.informer =
        resource.inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(T object) {
                changes.add(new Change<>(Optional.of(object)));
              }

              @Override
              public void onUpdate(T old, T object) {
                changes.add(new Change<>(Optional.of(object)));
              }

              @Override
              public void onDelete(T object, boolean deletedFinalStateUnknown) {
                changes.add(new Change<>(Optional.empty()));
              }
            });
  }

  /** The next state seen, or empty when none comes before {@code deadline}. */
  Optional<Change<T>> next(Instant deadline) throws InterruptedException {
    long ms = Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
    return Optional.ofNullable(changes.poll(ms, TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    informer.close();
  }
}
