package io.quiesce.schedule;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import java.util.List;

/**
 * The one status write of a reconcile: a JSON merge patch of {@code /status} that carries exactly
 * the fields this reconciler owns, with an explicit {@code null} for each one that is now unset (a
 * merge patch that merely left it out would keep the old value, e.g. a stale {@code
 * nextScheduleTime}).
 */
final class ScheduleStatusPatch {
  /** Every field of the status; all written by this reconciler. */
  static final List<String> OWNED_FIELDS =
      List.of(
          "lastScheduleTime",
          "nextScheduleTime",
          "lastSuccessfulTime",
          "active",
          "lastFire",
          "conditions",
          "observedGeneration");

  private ScheduleStatusPatch() {}

  static String body(QuiescedSnapshotScheduleStatus status) {
    ObjectNode fields = Serialization.jsonMapper().valueToTree(status);
    ObjectNode owned = JsonNodeFactory.instance.objectNode();
    for (String field : OWNED_FIELDS) {
      owned.set(field, fields.has(field) ? fields.get(field) : JsonNodeFactory.instance.nullNode());
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.set("status", owned);
    return patch.toString();
  }

  static QuiescedSnapshotSchedule apply(
      KubernetesClient client,
      QuiescedSnapshotSchedule schedule,
      QuiescedSnapshotScheduleStatus status) {
    return client
        .resources(QuiescedSnapshotSchedule.class)
        .inNamespace(schedule.getMetadata().getNamespace())
        .withName(schedule.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), body(status));
  }
}
