package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiesce.api.CrdSchema;
import java.util.List;

/**
 * One resource the test API server serves, as discovery, OpenAPI and the Table format describe it:
 * a built-in kind or a version of a registered CRD.
 *
 * @param group API group, empty for the core group
 * @param version e.g. {@code v1alpha1}
 * @param plural e.g. {@code quiescedsnapshots}
 * @param singular e.g. {@code quiescedsnapshot}
 * @param kind e.g. {@code QuiescedSnapshot}
 * @param namespaced whether objects live in a namespace
 * @param shortNames e.g. {@code qsnap}
 * @param categories e.g. {@code quiesce}
 * @param subresources e.g. {@code status}
 * @param printerColumns the CRD version's {@code additionalPrinterColumns} (empty for built-ins)
 * @param schema the CRD version's {@code openAPIV3Schema}; for built-ins an open object schema
 * @param validation the compiled schema of a CRD version, null for built-ins (not validated here)
 */
record ApiResource(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    List<String> subresources,
    JsonNode printerColumns,
    JsonNode schema,
    CrdSchema validation) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** A built-in kind, described by name only: its schema keeps every field. */
  static ApiResource builtIn(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      List<String> shortNames,
      List<String> subresources) {
    JsonNode open =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "object")
            .put("x-kubernetes-preserve-unknown-fields", true)
            .put(
                "description",
                kind + " (built-in kind; the test API server does not know its fields)");
    return new ApiResource(
        group,
        version,
        plural,
        kind.toLowerCase(java.util.Locale.ROOT),
        kind,
        namespaced,
        shortNames,
        List.of(),
        subresources,
        JsonNodeFactory.instance.arrayNode(),
        open,
        null);
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** {@code plural.group}, the key {@link ResourcePath#resourceName()} gives. */
  String resourceName() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
