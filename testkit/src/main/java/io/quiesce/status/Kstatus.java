package io.quiesce.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * kstatus' computed status of a custom resource, from the rules its README documents
 * (sigs.k8s.io/cli-utils/pkg/kstatus, "Conditions" and the generic rules for CRDs), in their order:
 *
 * <ol>
 *   <li>{@code metadata.deletionTimestamp} set: Terminating;
 *   <li>{@code status.observedGeneration} present and not {@code metadata.generation}: InProgress;
 *   <li>{@code Reconciling=True}: InProgress;
 *   <li>{@code Stalled=True}: Failed;
 *   <li>{@code Ready} present and not True: InProgress;
 *   <li>otherwise Current.
 * </ol>
 *
 * A test-side oracle: it reads the object as JSON, as kstatus does, not through our classes.
 */
public enum Kstatus {
  IN_PROGRESS,
  FAILED,
  CURRENT,
  TERMINATING;

  public static Kstatus of(HasMetadata object) {
    @SuppressWarnings("unchecked")
    Map<String, Object> json = Serialization.jsonMapper().convertValue(object, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) json.get("metadata");
    if (metadata.get("deletionTimestamp") != null) {
      return TERMINATING;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) json.getOrDefault("status", Map.of());
    Object observed = status.get("observedGeneration");
    Object generation = metadata.get("generation");
    if (observed != null
        && generation != null
        && ((Number) observed).longValue() != ((Number) generation).longValue()) {
      return IN_PROGRESS;
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> conditions =
        (List<Map<String, Object>>) status.getOrDefault("conditions", List.of());
    if ("True".equals(statusOf(conditions, "Reconciling"))) {
      return IN_PROGRESS;
    }
    if ("True".equals(statusOf(conditions, "Stalled"))) {
      return FAILED;
    }
    String ready = statusOf(conditions, "Ready");
    if (ready != null && !"True".equals(ready)) {
      return IN_PROGRESS;
    }
    return CURRENT;
  }

  /** For tests that hold conditions, not an object. */
  public static Kstatus of(List<Condition> conditions, Long observedGeneration, Long generation) {
    List<Map<String, Object>> json =
        conditions.stream()
            .map(c -> Map.<String, Object>of("type", c.getType(), "status", c.getStatus()))
            .toList();
    if (observedGeneration != null
        && generation != null
        && !observedGeneration.equals(generation)) {
      return IN_PROGRESS;
    }
    if ("True".equals(statusOf(json, "Reconciling"))) {
      return IN_PROGRESS;
    }
    if ("True".equals(statusOf(json, "Stalled"))) {
      return FAILED;
    }
    String ready = statusOf(json, "Ready");
    return ready != null && !"True".equals(ready) ? IN_PROGRESS : CURRENT;
  }

  private static String statusOf(List<Map<String, Object>> conditions, String type) {
    return conditions.stream()
        .filter(c -> type.equals(c.get("type")))
        .map(c -> (String) c.get("status"))
        .findFirst()
        .orElse(null);
  }
}
