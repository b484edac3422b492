package io.quiesce.testkit.kube.josdk;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A JOSDK {@link Operator} wired to a test API server's client, with settings that keep tests fast:
 * short cache-sync and termination timeouts, no leader election, startup fails on informer errors,
 * and the client is left open on stop (the test owns it). JOSDK's defaults are otherwise kept,
 * server-side apply for finalizers and status included.
 *
 * <pre>{@code
 * try (var operator = QuiesceTestOperator.start(server.newClient(), new MyReconciler())) {
 *     ...
 * }
 * }</pre>
 */
public final class QuiesceTestOperator implements AutoCloseable {

  private final Operator operator;

  private QuiesceTestOperator(Operator operator) {
    this.operator = operator;
  }

  /** Registers the reconcilers and starts the operator; returns once its informers have synced. */
  public static QuiesceTestOperator start(KubernetesClient client, Reconciler<?>... reconcilers) {
    return start(client, overrider -> {}, reconcilers);
  }

  /** Same, with further overrides of the configuration (applied after the test defaults). */
  public static QuiesceTestOperator start(
      KubernetesClient client,
      Consumer<ConfigurationServiceOverrider> overrides,
      Reconciler<?>... reconcilers) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withCacheSyncTimeout(Duration.ofSeconds(10))
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(2))
                  .withStopOnInformerErrorDuringStartup(true)
                  .withConcurrentReconciliationThreads(4);
              overrides.accept(o);
            });
    for (Reconciler<?> reconciler : reconcilers) {
      register(operator, reconciler);
    }
    operator.start();
    return new QuiesceTestOperator(operator);
  }

  private static <P extends HasMetadata> void register(
      Operator operator, Reconciler<P> reconciler) {
    operator.register(reconciler);
  }

  /** The running operator. */
  public Operator operator() {
    return operator;
  }

  /** Stops the operator (its client stays open). */
  @Override
  public void close() {
    operator.stop();
  }
}
