package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** A request the test API server refuses, answered with a {@code Status} as a real API server does. */
final class ApiStatusException extends Exception {

    private final int code;
    private final String reason;

    ApiStatusException(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    static ApiStatusException conflict(ResourcePath path) {
        return new ApiStatusException(409, "Conflict", "Operation cannot be fulfilled on " + path.resourceName()
                + " \"" + path.name() + "\": the object has been modified; please apply your changes to the latest"
                + " version and try again");
    }

    static ApiStatusException invalid(String message) {
        return new ApiStatusException(422, "Invalid", message);
    }

    MockResponse toResponse() {
        return new MockResponse().setResponseCode(code).setBody(Serialization.asJson(new StatusBuilder()
                .withApiVersion("v1")
                .withKind("Status")
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(getMessage())
                .build()));
    }
}
