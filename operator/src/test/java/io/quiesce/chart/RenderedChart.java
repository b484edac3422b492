package io.quiesce.chart;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The objects of one {@code helm template} output. Each document is parsed twice: by fabric8's
 * {@link Serialization}, which picks the model class from apiVersion and kind, and then strictly
 * into that class, where a field the Kubernetes API does not know (a typo such as {@code
 * readOnlyRootFileSystem}) fails instead of landing in the model's catch-all map.
 */
final class RenderedChart {
  /** Kinds that have no fabric8 model here (Prometheus Operator CRDs) and stay generic. */
  static final Set<String> GENERIC_KINDS =
      Set.of("monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule");

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .annotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                  return Boolean.FALSE; // no catch-all for unknown fields
                }
              })
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final List<HasMetadata> objects;

  private RenderedChart(List<HasMetadata> objects) {
    this.objects = List.copyOf(objects);
  }

  static RenderedChart parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(manifests)) {
      JsonNode tree = Yaml.read(document);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        continue; // comment-only document, e.g. a template whose feature is off
      }
      objects.add(typed(document, tree));
    }
    return new RenderedChart(objects);
  }

  private static HasMetadata typed(String document, JsonNode tree) {
    KubernetesResource parsed = Serialization.unmarshal(document, KubernetesResource.class);
    if (!(parsed instanceof HasMetadata object)) {
      throw new AssertionError("not a Kubernetes object:\n" + document);
    }
    String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
    if (object instanceof GenericKubernetesResource) {
      if (!GENERIC_KINDS.contains(type)) {
        throw new AssertionError(
            "fabric8 has no model for " + type + " (wrong apiVersion or kind?):\n" + document);
      }
      return object;
    }
    try {
      return STRICT.treeToValue(tree, object.getClass());
    } catch (Exception e) {
      throw new AssertionError("not a valid " + type + ": " + e.getMessage() + "\n" + document, e);
    }
  }

  List<HasMetadata> objects() {
    return objects;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The one object of this type and name; fails when there is none or more than one. */
  <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one "
              + type.getSimpleName()
              + " "
              + name
              + ", found "
              + found.size()
              + " among "
              + names());
    }
    return found.get(0);
  }

  /** The one generic object of this kind and name. */
  GenericKubernetesResource generic(String kind, String name) {
    List<GenericKubernetesResource> found =
        all(GenericKubernetesResource.class).stream()
            .filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + kind + " " + name + ", found " + found.size() + " among " + names());
    }
    return found.get(0);
  }

  /** "Kind/name" of every object, in render order. */
  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }
}
