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
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

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

  /**
   * Follows until {@code finished} holds, handing a line to {@code print} each time the phase
   * changes (the phase, then its {@code detail} at that moment); returns the finished object.
   *
   * @param what the object as the user names it, e.g. {@code snapshot nightly-1}
   * @param goesOn how to look at it later when the wait times out
   */
  T followToEnd(
      String what,
      String goesOn,
      Duration timeout,
      Function<T, String> phase,
      Function<T, String> detail,
      Predicate<T> finished,
      Consumer<String> print)
      throws PluginException {
    Instant deadline = clock.instant().plus(timeout);
    String last = null;
    try {
      while (true) {
        Optional<Change<T>> change = next(deadline);
        if (change.isEmpty()) {
          throw new PluginException(
              PluginException.TIMEOUT,
              what
                  + " did not finish within "
                  + timeout.toSeconds()
                  + " s (it goes on: "
                  + goesOn
                  + ")");
        }
        T live =
            change
                .get()
                .object()
                .orElseThrow(
                    () ->
                        new PluginException(
                            PluginException.FAILED, what + " was deleted while waiting"));
        String now = phase.apply(live);
        if (!now.equals(last)) {
          last = now;
          print.accept(now + detail.apply(live));
        }
        if (finished.test(live)) {
          return live;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginException(PluginException.INTERNAL, "interrupted");
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
