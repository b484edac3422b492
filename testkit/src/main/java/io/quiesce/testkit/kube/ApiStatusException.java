package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * A request the test API server refuses, answered with a {@code Status} as a real API server does.
 */
final class ApiStatusException extends Exception {

  private final int code;
  private final String reason;

  /** The Status's {@code details} (name, group, kind, causes), or null. */
  private final io.fabric8.kubernetes.api.model.StatusDetails details;

  ApiStatusException(int code, String reason, String message) {
    this(code, reason, message, null);
  }

  ApiStatusException(
      int code,
      String reason,
      String message,
      io.fabric8.kubernetes.api.model.StatusDetails details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  static ApiStatusException conflict(ResourcePath path) {
    return new ApiStatusException(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + path.resourceName()
            + " \""
            + path.name()
            + "\": the object has been modified; please apply your changes to the latest"
            + " version and try again");
  }

  static ApiStatusException invalid(String message) {
    return new ApiStatusException(422, "Invalid", message);
  }

  MockResponse toResponse() {
    return new MockResponse()
        .setResponseCode(code)
        .setBody(
            Serialization.asJson(
                new StatusBuilder()
                    .withApiVersion("v1")
                    .withKind("Status")
                    .withStatus("Failure")
                    .withCode(code)
                    .withReason(reason)
                    .withMessage(getMessage())
                    .withDetails(details)
                    .build()));
  }
}
