package io.quiesce.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Build-time only: merges a YAML/JSON patch into the schema the crd-generator made for the
 * annotated class, for what the generator annotations cannot say ({@code format: date-time}, {@code
 * x-kubernetes-list-type}, constraints on list items).
 *
 * <p>Use it as {@code @SchemaCustomizer(value = SchemaPatch.class, input = "...")}, the input in
 * YAML (block style, or flow style not starting with a brace, which would be read as JSON). The
 * merge is recursive (fabric8's own {@code MergePatchCustomizer} replaces nested maps whole and
 * would drop the generated properties), and a patch that names a property the class does not have
 * fails the build instead of adding a half-defined one.
 *
 * <p>The crd-generator is a {@code provided} dependency: nothing loads this class at run time.
 */
public final class SchemaPatch implements SchemaCustomizer.Customizer {

  @Override
  public JSONSchemaProps apply(
      JSONSchemaProps props, String input, KubernetesSerialization serialization) {
    JsonNode schema = serialization.convertValue(props, JsonNode.class);
    JsonNode patch = serialization.unmarshal(input, JsonNode.class);
    return serialization.convertValue(merge(schema, patch, "<schema>"), JSONSchemaProps.class);
  }

  static JsonNode merge(JsonNode target, JsonNode patch, String where) {
    if (!patch.isObject() || target == null || !target.isObject()) {
      return patch;
    }
    ObjectNode result = ((ObjectNode) target).deepCopy();
    boolean isPropertyMap = where.endsWith(".properties");
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey();
      if (isPropertyMap && !result.has(key)) {
        throw new IllegalArgumentException(
            "schema patch names property '"
                + key
                + "' at "
                + where
                + ", which the generated schema does not have");
      }
      result.set(key, merge(result.get(key), entry.getValue(), where + "." + key));
    }
    return result;
  }
}
