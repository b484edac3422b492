package io.quiesce.snapshot;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.kube.DirectWrites;
import io.quiesce.naming.Provenance;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The operator's writes to a QuiescedSnapshot, each a JSON merge patch that carries the {@code
 * metadata.resourceVersion} of the copy its decision was made from: the API server refuses (409) a
 * write based on a copy older than what it stores, so a reconcile working from a lagging cache can
 * never move a snapshot back (say, a started one to Pending, which freed its freeze slot while its
 * guest was still frozen) nor drop the node helper's newer {@code status.freeze}.
 *
 * <p>Each write goes through JOSDK's {@link
 * io.javaoperatorsdk.operator.api.reconciler.ResourceOperations} with the controller's event
 * source, which puts the written version into the primary cache at once (the next reconcile works
 * from it, not from the copy the informer has not replaced yet) and does not wake the reconciler
 * for its own write. Each write is one request of {@link DirectWrites} (no copy of the snapshot, no
 * second serialization of the patch), its reply read as the cache keeps a snapshot, without {@code
 * status.vmDefinition} ({@link CachedCopies#withoutVmDefinition}).
 */
final class SnapshotWriter {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** Reads a write's reply as the cache keeps a snapshot (its VM definition skipped). */
  private static final ObjectReader REPLY =
      CachedCopies.withoutVmDefinition(Serialization.jsonMapper())
          .readerFor(QuiescedSnapshot.class);

  private final KubernetesClient client;
  private final DirectWrites writes;

  /**
   * Told of every version this writer wrote (the freeze queue: see {@link FreezeSlots#observe}).
   */
  private final Consumer<QuiescedSnapshot> written;

  /** A writer that tells no one of what it wrote. */
  SnapshotWriter(KubernetesClient client) {
    this(client, written -> {});
  }

  SnapshotWriter(KubernetesClient client, Consumer<QuiescedSnapshot> written) {
    this.client = client;
    this.writes = new DirectWrites(client);
    this.written = written;
  }

  /** The API server holds a newer version than the copy a write was based on. */
  static final class StaleCopyException extends RuntimeException {
    StaleCopyException(QuiescedSnapshot copy, KubernetesClientException cause) {
      super(
          copy.getMetadata().getNamespace()
              + "/"
              + copy.getMetadata().getName()
              + " changed since version "
              + copy.getMetadata().getResourceVersion(),
          cause);
    }
  }

  /**
   * Labels the snapshot for the node's helper and, when it is known, with the channel the helper is
   * to use (the helper obeys what the operator resolved, so the precedence lives in one place), and
   * names the freeze slot Lease granted to it (the helper freezes only while that Lease names the
   * snapshot).
   *
   * @param slotLease the granted slot's Lease name: written with the node label in one patch, so
   *     that no helper ever sees the assignment without it
   * @return the copy to base the next write on: {@code copy} itself when all of it was there, else
   *     the patched object
   * @throws StaleCopyException when {@code copy} is not the stored version
   */
  QuiescedSnapshot assign(
      Context<QuiescedSnapshot> context,
      QuiescedSnapshot copy,
      String node,
      QuiesceChannel channel,
      String slotLease) {
    Objects.requireNonNull(slotLease, "an assignment names its freeze slot");
    Map<String, String> labels =
        Objects.requireNonNullElse(copy.getMetadata().getLabels(), Map.of());
    Map<String, String> annotations =
        Objects.requireNonNullElse(copy.getMetadata().getAnnotations(), Map.of());
    boolean labelled = Objects.equals(labels.get(Provenance.NODE), node);
    boolean named =
        channel == null || channel.value().equals(labels.get(QuiesceChannel.RESOLVED_LABEL));
    boolean slotNamed = slotLease.equals(annotations.get(Provenance.FREEZE_SLOT));
    if (labelled && named && slotNamed) {
      return copy;
    }
    Map<String, Object> metadata = new HashMap<>();
    Map<String, String> add = new HashMap<>();
    add.put(Provenance.NODE, node);
    if (channel != null) {
      add.put(QuiesceChannel.RESOLVED_LABEL, channel.value());
    }
    metadata.put("labels", add);
    metadata.put("annotations", Map.of(Provenance.FREEZE_SLOT, slotLease));
    metadata.put("resourceVersion", copy.getMetadata().getResourceVersion());
    return patch(context, copy, null, Map.of("metadata", metadata));
  }

  /**
   * One merge patch of the status subresource with the operator's fields only (so the helper's
   * {@code status.freeze} is kept unless the operator ran the freeze itself).
   *
   * @throws StaleCopyException when {@code copy} is not the stored version
   */
  void writeStatus(
      Context<QuiescedSnapshot> context, QuiescedSnapshot copy, QuiescedSnapshotStatus status) {
    Map<String, Object> patch = new HashMap<>();
    if (status.getFreeze() == null) {
      patch.put("status", status);
    } else {
      // the operator's own freeze record replaces the helper's whole (after a NoAgentChannel
      // fallback): a merge patch keeps every field it does not name, so name each, null or not
      Map<String, Object> fields = Serialization.jsonMapper().convertValue(status, MAP);
      fields.put("freeze", wholeRecord(status.getFreeze()));
      patch.put("status", fields);
    }
    patch.put("metadata", Map.of("resourceVersion", copy.getMetadata().getResourceVersion()));
    patch(context, copy, "status", patch);
  }

  /** The stored version, or null when it is gone. */
  QuiescedSnapshot latest(QuiescedSnapshot copy) {
    return resource(copy).get();
  }

  private QuiescedSnapshot patch(
      Context<QuiescedSnapshot> context,
      QuiescedSnapshot copy,
      String subresource,
      Map<String, Object> body) {
    String json = Serialization.asJson(body);
    String url =
        writes.url(
            QuiescedSnapshot.class,
            copy.getMetadata().getNamespace(),
            copy.getMetadata().getName(),
            subresource);
    try {
      QuiescedSnapshot result =
          context
              .resourceOperations()
              .resourcePatch(
                  copy,
                  c -> writes.<QuiescedSnapshot>mergePatch(url, json, REPLY),
                  context.eventSourceRetriever().getControllerEventSource());
      if (result != null) {
        written.accept(result);
      }
      return result;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new StaleCopyException(copy, e);
      }
      throw e;
    }
  }

  /** The snapshot's resource (for the rare read; writes go through {@link DirectWrites}). */
  private Resource<QuiescedSnapshot> resource(QuiescedSnapshot copy) {
    return client
        .resources(QuiescedSnapshot.class)
        .inNamespace(copy.getMetadata().getNamespace())
        .withName(copy.getMetadata().getName());
  }

  private static Map<String, Object> wholeRecord(FreezeRecord record) {
    Map<String, Object> set = Serialization.jsonMapper().convertValue(record, MAP);
    Map<String, Object> whole = new HashMap<>();
    Serialization.jsonMapper()
        .getSerializationConfig()
        .introspect(Serialization.jsonMapper().constructType(FreezeRecord.class))
        .findProperties()
        .forEach(p -> whole.put(p.getName(), set.get(p.getName())));
    return whole;
  }
}
