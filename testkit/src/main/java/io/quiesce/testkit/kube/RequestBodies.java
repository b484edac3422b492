package io.quiesce.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Request bodies read as JSON trees; what cannot be read is a 400, as on a real API server. */
final class RequestBodies {

  private RequestBodies() {}

  /** Any JSON value (a JSON patch is an array). */
  static JsonNode json(String body) throws ApiStatusException {
    try {
      JsonNode node = Serialization.jsonMapper().readTree(body);
      if (node == null || node.isMissingNode()) {
        throw badRequest("the request body is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** A JSON object. */
  static ObjectNode object(String body) throws ApiStatusException {
    JsonNode node = json(body);
    if (!node.isObject()) {
      throw badRequest("the request body is not a JSON object");
    }
    return (ObjectNode) node;
  }

  /** An applied configuration: YAML (of which JSON is a special case) with metadata. */
  static ObjectNode appliedConfiguration(String body) throws ApiStatusException {
    JsonNode node;
    try {
      node = Serialization.unmarshal(body, JsonNode.class);
    } catch (RuntimeException e) {
      throw badRequest("the applied configuration is not valid YAML: " + e.getMessage());
    }
    if (node == null || !node.isObject() || !node.path("metadata").isObject()) {
      throw badRequest("the applied configuration is not an object with metadata");
    }
    return (ObjectNode) node;
  }

  private static ApiStatusException badRequest(String message) {
    return new ApiStatusException(400, "BadRequest", message);
  }
}
