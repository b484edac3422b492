package io.quiesce.schedule;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A schedule's {@code vmSelector}, evaluated in Java on the labels of listed VMs: matchLabels AND
 * every matchExpression (In, NotIn, Exists, DoesNotExist), as the Kubernetes API server does.
 *
 * <p>Why not let the API server filter: the operator's tests run on fabric8's mock API server,
 * whose set-based selectors were not trustworthy (it ignored {@code in}/{@code notin}); evaluating
 * here gives the same answer everywhere and also rejects a malformed selector with a clear message.
 */
public final class VmSelector {
  private final Map<String, String> matchLabels;
  private final List<LabelSelectorRequirement> expressions;

  private VmSelector(Map<String, String> matchLabels, List<LabelSelectorRequirement> expressions) {
    this.matchLabels = matchLabels;
    this.expressions = expressions;
  }

  /**
   * Checks and wraps a selector; {@code null} or {@code {}} selects every VM.
   *
   * @throws IllegalArgumentException with a message for the user when the selector is malformed
   */
  public static VmSelector of(LabelSelector selector) {
    if (selector == null) {
      return new VmSelector(Map.of(), List.of());
    }
    Map<String, String> labels =
        selector.getMatchLabels() == null ? Map.of() : Map.copyOf(selector.getMatchLabels());
    List<LabelSelectorRequirement> expressions =
        selector.getMatchExpressions() == null
            ? List.of()
            : List.copyOf(selector.getMatchExpressions());
    for (LabelSelectorRequirement r : expressions) {
      problem(r)
          .ifPresent(
              p -> {
                throw new IllegalArgumentException(p);
              });
    }
    return new VmSelector(labels, expressions);
  }

  private static Optional<String> problem(LabelSelectorRequirement r) {
    if (r.getKey() == null || r.getKey().isBlank()) {
      return Optional.of("matchExpressions: a requirement has no key");
    }
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    String op = r.getOperator();
    if ("In".equals(op) || "NotIn".equals(op)) {
      return values.isEmpty()
          ? Optional.of(
              "matchExpressions: operator " + op + " on key " + r.getKey() + " needs values")
          : Optional.empty();
    }
    if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
      return values.isEmpty()
          ? Optional.empty()
          : Optional.of(
              "matchExpressions: operator " + op + " on key " + r.getKey() + " takes no values");
    }
    return Optional.of(
        "matchExpressions: unknown operator \""
            + op
            + "\" on key "
            + r.getKey()
            + " (use In, NotIn, Exists or DoesNotExist)");
  }

  /** True when an object with these labels ({@code null} = none) is selected. */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> have = labels == null ? Map.of() : labels;
    for (Map.Entry<String, String> e : matchLabels.entrySet()) {
      if (!e.getValue().equals(have.get(e.getKey()))) {
        return false;
      }
    }
    return expressions.stream().allMatch(r -> matches(r, have));
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    return switch (r.getOperator()) {
      case "In" -> value != null && r.getValues().contains(value);
      case "NotIn" -> value == null || !r.getValues().contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> throw new IllegalStateException("checked in of(): " + r.getOperator());
    };
  }
}
