package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.quiesce.api.CrdSchema;
import io.quiesce.api.Violation;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What kube-apiserver does with a custom resource on every create, update and patch (status
 * included), before it stores it: prunes the fields its CRD version's schema does not declare (with
 * {@code fieldValidation=Strict}, as kubectl sends, it refuses them instead), applies the schema's
 * defaults, then validates against the schema and its CEL rules; a violation is answered 422 {@code
 * Invalid} with each field path as a cause, worded like the API server.
 */
final class SchemaAdmission {
  private final AtomicLong checks = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();

  /**
   * The object to store.
   *
   * @param resource the resource's catalog entry; objects of built-in kinds pass unchanged
   * @param requested the object the request asks to store (changed in place)
   * @param old the stored object on an update, else null
   * @param oldPassed whether {@code old} was stored after passing these checks of this resource's
   *     current schema (its unchanged parts then need no new check, see {@link
   *     CrdSchema#violations(JsonNode, JsonNode, boolean)})
   * @param strictFields whether the request asked {@code fieldValidation=Strict}
   */
  ObjectNode admit(
      ApiResource resource,
      ObjectNode requested,
      JsonNode old,
      boolean oldPassed,
      boolean strictFields)
      throws ApiStatusException {
    CrdSchema schema = resource.validation();
    if (schema == null) {
      return requested;
    }
    long start = System.nanoTime();
    try {
      String name = requested.path("metadata").path("name").asText("");
      String qualifiedKind = resource.kind() + "." + resource.group();
      JsonNode passed = oldPassed ? old : null;
      List<String> unknown = schema.prune(requested, passed);
      if (strictFields && !unknown.isEmpty()) {
        throw new ApiStatusException(
            400,
            "BadRequest",
            qualifiedKind
                + " in version \""
                + resource.version()
                + "\" cannot be handled as a "
                + resource.kind()
                + ": strict decoding error: "
                + String.join(
                    ", ", unknown.stream().map(u -> "unknown field \"" + u + "\"").toList()));
      }
      schema.applyDefaults(requested, passed);
      List<Violation> violations = schema.violations(requested, old, oldPassed);
      if (violations.isEmpty()) {
        return requested;
      }
      List<String> messages = violations.stream().map(v -> message(v, requested)).toList();
      List<StatusCause> causes =
          violations.stream()
              .map(
                  v ->
                      new StatusCauseBuilder()
                          .withReason(
                              v.message().startsWith("required")
                                  ? "FieldValueRequired"
                                  : "FieldValueInvalid")
                          .withField(v.path())
                          .withMessage(message(v, requested).substring(v.path().length() + 2))
                          .build())
              .toList();
      String summary =
          messages.size() == 1 ? messages.get(0) : "[" + String.join(", ", messages) + "]";
      throw new ApiStatusException(
          422,
          "Invalid",
          qualifiedKind + " \"" + name + "\" is invalid: " + summary,
          new StatusDetailsBuilder()
              .withName(name)
              .withGroup(resource.group())
              .withKind(resource.kind())
              .withCauses(causes)
              .build());
    } finally {
      checks.incrementAndGet();
      nanos.addAndGet(System.nanoTime() - start);
    }
  }

  /**
   * {@code spec.x: Invalid value: "v": why}, or {@code spec.x: Required value}, as the API server
   * words it.
   */
  private static String message(Violation violation, JsonNode object) {
    String text = violation.message();
    if (text.startsWith("required")) {
      return violation.path() + ": Required value";
    }
    JsonNode value = TableFormat.at(object, "." + violation.path());
    String shown =
        value == null
            ? "null"
            : value.isTextual()
                ? value.toString()
                : value.isContainerNode() ? "\"object\"" : value.asText();
    String why =
        text.startsWith("rule: ")
            ? text.substring("rule: ".length())
            : text.replaceFirst("^[a-zA-Z]+: (\\$[^:]*: )?", "");
    return violation.path() + ": Invalid value: " + shown + ": " + why;
  }

  /** Writes checked so far. */
  long checks() {
    return checks.get();
  }

  /** Time spent checking so far, in nanoseconds. */
  long nanos() {
    return nanos.get();
  }
}
