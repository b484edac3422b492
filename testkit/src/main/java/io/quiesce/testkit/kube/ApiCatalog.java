package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiesce.api.CrdSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the test API server serves: the built-in kinds Quiesce, its chart and kubectl touch, and the
 * served versions of every CRD created on it (kept up to date as CRDs are created, updated and
 * deleted). Read by discovery, OpenAPI, the Table format and validation.
 *
 * <p>Thread-safe: a CRD change replaces its entries whole.
 */
final class ApiCatalog {
  private static final List<String> STATUS = List.of("status");
  private static final List<String> NONE = List.of();

  private static final List<ApiResource> BUILT_IN =
      List.of(
          ApiResource.builtIn("", "v1", "Namespace", "namespaces", false, List.of("ns"), STATUS),
          ApiResource.builtIn("", "v1", "Pod", "pods", true, List.of("po"), STATUS),
          ApiResource.builtIn("", "v1", "Service", "services", true, List.of("svc"), STATUS),
          ApiResource.builtIn("", "v1", "ConfigMap", "configmaps", true, List.of("cm"), NONE),
          ApiResource.builtIn("", "v1", "Secret", "secrets", true, NONE, NONE),
          ApiResource.builtIn(
              "", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa"), NONE),
          ApiResource.builtIn("", "v1", "Event", "events", true, List.of("ev"), NONE),
          ApiResource.builtIn("", "v1", "Node", "nodes", false, List.of("no"), STATUS),
          ApiResource.builtIn(
              "",
              "v1",
              "PersistentVolumeClaim",
              "persistentvolumeclaims",
              true,
              List.of("pvc"),
              STATUS),
          ApiResource.builtIn(
              "", "v1", "PersistentVolume", "persistentvolumes", false, List.of("pv"), STATUS),
          ApiResource.builtIn("", "v1", "Endpoints", "endpoints", true, List.of("ep"), NONE),
          ApiResource.builtIn(
              "apps", "v1", "Deployment", "deployments", true, List.of("deploy"), STATUS),
          ApiResource.builtIn("apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds"), STATUS),
          ApiResource.builtIn(
              "apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts"), STATUS),
          ApiResource.builtIn(
              "apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), STATUS),
          ApiResource.builtIn("batch", "v1", "Job", "jobs", true, NONE, STATUS),
          ApiResource.builtIn("batch", "v1", "CronJob", "cronjobs", true, List.of("cj"), STATUS),
          ApiResource.builtIn("rbac.authorization.k8s.io", "v1", "Role", "roles", true, NONE, NONE),
          ApiResource.builtIn(
              "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, NONE, NONE),
          ApiResource.builtIn(
              "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, NONE, NONE),
          ApiResource.builtIn(
              "rbac.authorization.k8s.io",
              "v1",
              "ClusterRoleBinding",
              "clusterrolebindings",
              false,
              NONE,
              NONE),
          ApiResource.builtIn("coordination.k8s.io", "v1", "Lease", "leases", true, NONE, NONE),
          ApiResource.builtIn("events.k8s.io", "v1", "Event", "events", true, List.of("ev"), NONE),
          ApiResource.builtIn(
              "storage.k8s.io", "v1", "StorageClass", "storageclasses", false, List.of("sc"), NONE),
          ApiResource.builtIn("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false, NONE, NONE),
          ApiResource.builtIn(
              "storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false, NONE, STATUS),
          ApiResource.builtIn(
              "apiextensions.k8s.io",
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false,
              List.of("crd", "crds"),
              STATUS),
          ApiResource.builtIn(
              "admissionregistration.k8s.io",
              "v1",
              "ValidatingAdmissionPolicy",
              "validatingadmissionpolicies",
              false,
              NONE,
              STATUS),
          ApiResource.builtIn(
              "admissionregistration.k8s.io",
              "v1",
              "ValidatingAdmissionPolicyBinding",
              "validatingadmissionpolicybindings",
              false,
              NONE,
              NONE),
          ApiResource.builtIn(
              "admissionregistration.k8s.io",
              "v1",
              "ValidatingWebhookConfiguration",
              "validatingwebhookconfigurations",
              false,
              NONE,
              NONE),
          ApiResource.builtIn(
              "admissionregistration.k8s.io",
              "v1",
              "MutatingWebhookConfiguration",
              "mutatingwebhookconfigurations",
              false,
              NONE,
              NONE),
          ApiResource.builtIn(
              "networking.k8s.io",
              "v1",
              "NetworkPolicy",
              "networkpolicies",
              true,
              List.of("netpol"),
              NONE),
          ApiResource.builtIn(
              "networking.k8s.io", "v1", "Ingress", "ingresses", true, List.of("ing"), STATUS),
          ApiResource.builtIn(
              "policy",
              "v1",
              "PodDisruptionBudget",
              "poddisruptionbudgets",
              true,
              List.of("pdb"),
              STATUS),
          ApiResource.builtIn(
              "scheduling.k8s.io",
              "v1",
              "PriorityClass",
              "priorityclasses",
              false,
              List.of("pc"),
              NONE));

  /** Compiled schemas by schema, shared by every server in the JVM: compiling one takes a while. */
  private static final Map<JsonNode, CrdSchema> COMPILED = new ConcurrentHashMap<>();

  /** The served versions of each CRD, by CRD name. */
  private final Map<String, List<ApiResource>> crds = new ConcurrentHashMap<>();

  /**
   * The first resource of each group/version/plural in {@link #all()}, rebuilt whenever a CRD is
   * registered or removed ({@link #find} runs on every write; it copied and scanned the list).
   */
  private volatile Map<String, ApiResource> byName = index(BUILT_IN);

  /**
   * Compiles the schemas of a CRD ahead of its creation, outside any request: compiling takes
   * seconds on a cold JVM, longer than a client waits for an answer.
   */
  static void precompile(JsonNode crd) {
    for (JsonNode version : crd.path("spec").path("versions")) {
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      if (schema.isObject()) {
        COMPILED.computeIfAbsent(schema, CrdSchema::of);
      }
    }
  }

  /** Adds or replaces the entries of a CRD, compiling its schemas. */
  void register(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    List<ApiResource> versions = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      List<String> subresources = new ArrayList<>();
      version.path("subresources").fieldNames().forEachRemaining(subresources::add);
      versions.add(
          new ApiResource(
              spec.path("group").asText(),
              version.path("name").asText(),
              names.path("plural").asText(),
              names
                  .path("singular")
                  .asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)),
              names.path("kind").asText(),
              !"Cluster".equals(spec.path("scope").asText()),
              strings(names.path("shortNames")),
              strings(names.path("categories")),
              subresources,
              version.has("additionalPrinterColumns")
                  ? version.get("additionalPrinterColumns")
                  : JsonNodeFactory.instance.arrayNode(),
              schema,
              schema.isObject() ? COMPILED.computeIfAbsent(schema, CrdSchema::of) : null));
    }
    crds.put(crd.path("metadata").path("name").asText(), List.copyOf(versions));
    reindex();
  }

  void remove(String crdName) {
    crds.remove(crdName);
    reindex();
  }

  /** Rebuilds {@link #byName}; the last caller reads the latest CRDs. */
  private synchronized void reindex() {
    byName = index(all());
  }

  private static Map<String, ApiResource> index(Collection<ApiResource> resources) {
    Map<String, ApiResource> index = new java.util.HashMap<>();
    resources.forEach(r -> index.putIfAbsent(name(r.group(), r.version(), r.plural()), r));
    return index;
  }

  private static String name(String group, String version, String plural) {
    return group + "/" + version + "/" + plural;
  }

  /** Every resource: built-ins first, then CRD versions. */
  List<ApiResource> all() {
    List<ApiResource> all = new ArrayList<>(BUILT_IN);
    crds.values().forEach(all::addAll);
    return all;
  }

  /** The resource a path names (group, version from its prefix, plural). */
  Optional<ApiResource> find(ResourcePath path) {
    String version = path.prefix().substring(path.prefix().lastIndexOf('/') + 1);
    return find(path.group(), version, path.plural());
  }

  Optional<ApiResource> find(String group, String version, String plural) {
    return Optional.ofNullable(byName.get(name(group, version, plural)));
  }

  /** Group versions by group, in the order first seen (core group under ""). */
  Map<String, List<String>> groupVersions() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (ApiResource resource : all()) {
      List<String> versions = groups.computeIfAbsent(resource.group(), g -> new ArrayList<>());
      if (!versions.contains(resource.version())) {
        versions.add(resource.version());
      }
    }
    return groups;
  }

  /** The resources of one group version. */
  List<ApiResource> of(String group, String version) {
    return all().stream()
        .filter(r -> r.group().equals(group) && r.version().equals(version))
        .toList();
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  static Collection<ApiResource> builtIns() {
    return BUILT_IN;
  }
}
