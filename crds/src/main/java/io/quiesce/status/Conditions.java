package io.quiesce.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place conditions are written, following the Kubernetes API conventions: one entry per
 * type; {@code lastTransitionTime} changes only when the status flips; reason is CamelCase; {@code
 * observedGeneration} says which spec the condition describes.
 */
public final class Conditions {
  /** Compiled once: every status decision sets conditions. */
  private static final java.util.regex.Pattern CAMEL_CASE =
      java.util.regex.Pattern.compile("[A-Z][A-Za-z0-9]*");

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  /** The condition type that says the object is what its spec asks for (kstatus reads it too). */
  public static final String READY = "Ready";

  /** kstatus' abnormal-true condition: True while the controller still works towards the spec. */
  public static final String RECONCILING = "Reconciling";

  /**
   * kstatus' abnormal-true condition: True when the controller cannot make progress (a terminal
   * failure).
   */
  public static final String STALLED = "Stalled";

  /**
   * Where an object stands in kstatus' terms (sigs.k8s.io/cli-utils/pkg/kstatus), which Flux and
   * other GitOps tools read: {@link #RECONCILING} means kstatus InProgress, {@link #READY} Current,
   * {@link #STALLED} Failed (so a Flux Kustomization waiting on the object fails at once instead of
   * timing out).
   */
  public enum Summary {
    RECONCILING,
    READY,
    STALLED
  }

  private Conditions() {}

  /**
   * Sets condition {@code type} in {@code conditions} (a mutable list). The message is stored
   * stripped of control characters and cut to {@link BoundedText#MAX_MESSAGE}: it often carries
   * text a guest, libvirt or the storage chose.
   *
   * @return true when anything visible changed (so the caller knows whether to write status)
   */
  public static boolean set(
      List<Condition> conditions,
      String type,
      String status,
      String reason,
      String message,
      Long observedGeneration,
      Instant now) {
    requireStatus(status);
    if (reason == null || !CAMEL_CASE.matcher(reason).matches()) {
      throw new IllegalArgumentException("condition reason must be CamelCase, got " + reason);
    }
    message = BoundedText.message(message);
    Optional<Condition> existing = find(conditions, type);
    if (existing.isEmpty()) {
      conditions.add(
          new Condition(timestamp(now), message, observedGeneration, reason, status, type));
      return true;
    }
    Condition c = existing.get();
    boolean flipped = !status.equals(c.getStatus());
    boolean changed =
        flipped
            || !reason.equals(c.getReason())
            || !Objects.equals(message, c.getMessage())
            || !Objects.equals(observedGeneration, c.getObservedGeneration());
    if (flipped || c.getLastTransitionTime() == null) {
      c.setLastTransitionTime(timestamp(now));
    }
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage(message);
    c.setObservedGeneration(observedGeneration);
    return changed;
  }

  /**
   * Sets {@code Ready}, {@code Reconciling} and {@code Stalled} together, as kstatus reads them:
   * exactly one of the three True, the other two False, all with {@code reason}, {@code message}
   * and the generation they describe (the caller sets {@code status.observedGeneration} with it).
   *
   * @return true when anything visible changed
   */
  public static boolean summarize(
      List<Condition> conditions,
      Summary summary,
      String reason,
      String message,
      Long observedGeneration,
      Instant now) {
    boolean changed =
        set(
            conditions,
            READY,
            summary == Summary.READY ? TRUE : FALSE,
            reason,
            message,
            observedGeneration,
            now);
    changed |=
        set(
            conditions,
            RECONCILING,
            summary == Summary.RECONCILING ? TRUE : FALSE,
            reason,
            message,
            observedGeneration,
            now);
    changed |=
        set(
            conditions,
            STALLED,
            summary == Summary.STALLED ? TRUE : FALSE,
            reason,
            message,
            observedGeneration,
            now);
    return changed;
  }

  /** The condition of {@code type}, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True when condition {@code type} is present with status True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  private static void requireStatus(String status) {
    if (!TRUE.equals(status) && !FALSE.equals(status) && !UNKNOWN.equals(status)) {
      throw new IllegalArgumentException(
          "condition status must be True, False or Unknown, got " + status);
    }
  }

  /** RFC 3339 at second precision, as metav1.Time serializes. */
  static String timestamp(Instant now) {
    return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
  }
}
