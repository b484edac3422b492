package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's ValidatingAdmissionPolicy for the node helper, its CEL evaluated with dev.cel on
 * sample admission requests as the API server would present them: each write allowed for the
 * helper's own node, denied for another node's, and the operator's leader-election Lease never
 * writable by the helper (which RBAC alone cannot say: {@code create} takes no resourceNames and
 * node names are not known at install time).
 */
class HelperAdmissionPolicyTest {
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final String HELPER =
      "system:serviceaccount:" + QuiesceChart.NAMESPACE + ":quiesce-node-helper";
  private static final String NODE = "node-a";
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .addVar("variables", SimpleType.DYN)
          .build();
  private static JsonNode policy;

  @BeforeAll
  static void render() {
    policy = named("ValidatingAdmissionPolicy", "-node-bound");
  }

  @Test
  void thePolicyIsBoundToDenyAndFailsClosed() {
    JsonNode binding = named("ValidatingAdmissionPolicyBinding", "-node-bound");
    assertThat(binding.at("/spec/policyName").asText())
        .isEqualTo(policy.at("/metadata/name").asText());
    assertThat(binding.at("/spec/validationActions").toString()).isEqualTo("[\"Deny\"]");
    assertThat(policy.at("/spec/failurePolicy").asText()).isEqualTo("Fail");
    assertThat(
            documents(
                QuiesceChart.render().set("nodeHelper.admissionPolicy.enabled", false).manifests()))
        .noneMatch(d -> d.path("kind").asText().startsWith("ValidatingAdmissionPolicy"));
  }

  @Test
  void statusWritesOnlyForSnapshotsAssignedToItsNodeAndOnlyTheFreezeRecord() {
    Map<String, Object> old = snapshot(NODE, Map.of("phase", "InProgress", "nodeName", NODE));
    Map<String, Object> withFreeze =
        snapshot(
            NODE,
            Map.of("phase", "InProgress", "nodeName", NODE, "freeze", Map.of("reason", "Frozen")));
    assertThat(admit(update("quiesce.io", "quiescedsnapshots", "status", "s1"), withFreeze, old))
        .isTrue();

    Map<String, Object> otherOld =
        snapshot("node-b", Map.of("phase", "InProgress", "nodeName", "node-b"));
    Map<String, Object> otherNew =
        snapshot(
            "node-b",
            Map.of(
                "phase", "InProgress", "nodeName", "node-b", "freeze", Map.of("reason", "Frozen")));
    assertThat(admit(update("quiesce.io", "quiescedsnapshots", "status", "s1"), otherNew, otherOld))
        .as("another node's snapshot")
        .isFalse();

    Map<String, Object> forgedPhase =
        snapshot(
            NODE,
            Map.of("phase", "Succeeded", "nodeName", NODE, "consistency", "FilesystemConsistent"));
    assertThat(admit(update("quiesce.io", "quiescedsnapshots", "status", "s1"), forgedPhase, old))
        .as("an operator field")
        .isFalse();
  }

  @Test
  void volumeSnapshotsOnlyOfAPvcAndLabelledWithItsNode() {
    Request create = create("snapshot.storage.k8s.io", "volumesnapshots", "s1--disk");
    assertThat(
            admit(create, volumeSnapshot(NODE, Map.of("persistentVolumeClaimName", "disk")), null))
        .isTrue();
    assertThat(
            admit(
                create,
                volumeSnapshot("node-b", Map.of("persistentVolumeClaimName", "disk")),
                null))
        .as("labelled with another node")
        .isFalse();
    assertThat(
            admit(
                create,
                volumeSnapshot(NODE, Map.of("volumeSnapshotContentName", "someone-elses")),
                null))
        .as("bound to existing snapshot content")
        .isFalse();
  }

  @Test
  void volumeGroupSnapshotsOnlyBySelectorAndLabelledWithItsNode() {
    Request create = create("groupsnapshot.storage.k8s.io", "volumegroupsnapshots", "s1--group");
    Map<String, Object> selector =
        Map.of("selector", Map.of("matchLabels", Map.of("quiesce.io/volume-group", "g")));
    assertThat(admit(create, volumeSnapshot(NODE, selector), null)).isTrue();
    assertThat(admit(create, volumeSnapshot("node-b", selector), null))
        .as("labelled with another node")
        .isFalse();
    assertThat(
            admit(
                create,
                volumeSnapshot(NODE, Map.of("volumeGroupSnapshotContentName", "someone-elses")),
                null))
        .as("bound to existing group snapshot content")
        .isFalse();
  }

  @Test
  void theHelperMayNotRewriteThePlannedGroup() {
    Map<String, Object> old =
        snapshot(
            NODE,
            Map.of(
                "phase",
                "InProgress",
                "nodeName",
                NODE,
                "volumeGroupSnapshot",
                Map.of("name", "s1--group", "apiVersion", "groupsnapshot.storage.k8s.io/v1")));
    Map<String, Object> forged =
        snapshot(
            NODE,
            Map.of(
                "phase",
                "InProgress",
                "nodeName",
                NODE,
                "volumeGroupSnapshot",
                Map.of("name", "other", "apiVersion", "groupsnapshot.storage.k8s.io/v1")));
    assertThat(admit(update("quiesce.io", "quiescedsnapshots", "status", "s1"), forged, old))
        .isFalse();
  }

  @Test
  void eventsOnlyFromItsNodeAboutQuiescedSnapshots() {
    Request core = create("", "events", "s1.abc");
    assertThat(admit(core, coreEvent(NODE, "QuiescedSnapshot"), null)).isTrue();
    assertThat(admit(core, coreEvent("node-b", "QuiescedSnapshot"), null))
        .as("another node")
        .isFalse();
    assertThat(admit(core, coreEvent(NODE, "Secret"), null)).as("about something else").isFalse();
    Request modern = create("events.k8s.io", "events", "s1.abc");
    assertThat(
            admit(
                modern,
                Map.of(
                    "reportingInstance",
                    "quiesce-node-helper-" + NODE,
                    "regarding",
                    Map.of("kind", "QuiescedSnapshot")),
                null))
        .isTrue();
    assertThat(
            admit(
                modern,
                Map.of(
                    "reportingInstance",
                    "quiesce-node-helper-node-b",
                    "regarding",
                    Map.of("kind", "QuiescedSnapshot")),
                null))
        .isFalse();
  }

  @Test
  void emergencyThawEventsAboutVmisFromItsNodeOnly() {
    Request core = create("", "events", "vm.abc");
    Map<String, Object> thawEvent =
        Map.of(
            "source",
            Map.of("host", NODE),
            "involvedObject",
            Map.of("kind", "VirtualMachineInstance"),
            "reason",
            "EmergencyThaw");
    assertThat(admit(core, thawEvent, null)).isTrue();
    Map<String, Object> otherReason = new LinkedHashMap<>(thawEvent);
    otherReason.put("reason", "Started");
    assertThat(admit(core, otherReason, null)).as("another reason on a VMI").isFalse();
    Map<String, Object> otherNode = new LinkedHashMap<>(thawEvent);
    otherNode.put("source", Map.of("host", "node-b"));
    assertThat(admit(core, otherNode, null)).as("another node").isFalse();
  }

  @Test
  void vmiWritesOnlyTheThawAnswerOnVmisOfItsNode() {
    Request update = update("kubevirt.io", "virtualmachineinstances", null, "vm");
    Map<String, Object> old =
        vmi(NODE, Map.of("quiesce.io/thaw-requested", "20261206-031500-9f3a0c1b2d4e", "a", "b"));
    Map<String, Object> answered =
        vmi(
            NODE,
            Map.of(
                "quiesce.io/thaw-requested",
                "20261206-031500-9f3a0c1b2d4e",
                "a",
                "b",
                "quiesce.io/thaw-done",
                "20261206-031500-9f3a0c1b2d4e",
                "quiesce.io/thaw-result",
                "Thawed: guest filesystems thawed"));
    assertThat(admit(update, answered, old)).isTrue();

    Map<String, Object> otherOld =
        vmi("node-b", Map.of("quiesce.io/thaw-requested", "20261206-031500-9f3a0c1b2d4e"));
    Map<String, Object> otherAnswered =
        vmi(
            "node-b",
            Map.of(
                "quiesce.io/thaw-requested",
                "20261206-031500-9f3a0c1b2d4e",
                "quiesce.io/thaw-done",
                "20261206-031500-9f3a0c1b2d4e"));
    assertThat(admit(update, otherAnswered, otherOld)).as("a VMI of another node").isFalse();

    Map<String, Object> otherAnnotation =
        vmi(NODE, Map.of("quiesce.io/thaw-requested", "20261206-031500-9f3a0c1b2d4e", "a", "c"));
    assertThat(admit(update, otherAnnotation, old)).as("another annotation changed").isFalse();
    Map<String, Object> requested =
        vmi(NODE, Map.of("quiesce.io/thaw-requested", "another-token-123", "a", "b"));
    assertThat(admit(update, requested, old)).as("the request itself").isFalse();
    Map<String, Object> removed = vmi(NODE, Map.of("a", "b"));
    assertThat(admit(update, removed, old)).as("the request removed").isFalse();
    Map<String, Object> respec = new LinkedHashMap<>(old);
    respec.put("spec", Map.of("running", false));
    assertThat(admit(update, respec, old)).as("the spec").isFalse();
  }

  private static Map<String, Object> vmi(String node, Map<String, String> annotations) {
    Map<String, Object> vmi = new LinkedHashMap<>();
    vmi.put("metadata", Map.of("name", "vm", "annotations", annotations));
    vmi.put("spec", Map.of("domain", Map.of("devices", Map.of())));
    vmi.put("status", Map.of("nodeName", node, "phase", "Running"));
    return vmi;
  }

  @Test
  void leasesOnlyItsOwnHeartbeatNeverTheOperatorsLeaderElectionLease() {
    Map<String, Object> lease = Map.of("metadata", Map.of("name", "x"));
    assertThat(
            admit(
                update("coordination.k8s.io", "leases", null, "quiesce-helper-" + NODE),
                lease,
                lease))
        .isTrue();
    assertThat(
            admit(update("coordination.k8s.io", "leases", null, "quiesce-operator"), lease, lease))
        .as("the operator's leader-election Lease")
        .isFalse();
    assertThat(admit(create("coordination.k8s.io", "leases", "quiesce-operator"), lease, null))
        .as("creating the operator's Lease")
        .isFalse();
    assertThat(
            admit(
                update("coordination.k8s.io", "leases", null, "quiesce-helper-node-b"),
                lease,
                lease))
        .as("another node's heartbeat")
        .isFalse();
    assertThat(admit(update("coordination.k8s.io", "leases", null, "quiesce-slot-0"), lease, lease))
        .as("a freeze slot Lease, which only the operator grants")
        .isFalse();
    assertThat(admit(create("coordination.k8s.io", "leases", "quiesce-slot-7"), lease, null))
        .as("creating a freeze slot Lease")
        .isFalse();
  }

  @Test
  void aTokenWithoutANodeNameIsDeniedAndOtherUsersAreNotMatched() {
    Map<String, Object> old = snapshot(NODE, Map.of("phase", "InProgress"));
    Request noNode =
        new Request(
            request("quiesce.io", "quiescedsnapshots", "status", "s1", "UPDATE", HELPER, null));
    assertThat(admit(noNode, old, old)).isFalse();
    Request operator =
        new Request(
            request(
                "quiesce.io",
                "quiescedsnapshots",
                "status",
                "s1",
                "UPDATE",
                "system:serviceaccount:" + QuiesceChart.NAMESPACE + ":quiesce-operator",
                null));
    assertThat(matches(operator)).isFalse();
  }

  /**
   * The helper's Role gives it Leases in the release namespace; the policy above is what keeps it
   * off the operator's.
   */
  @Test
  void theHelpersRoleOnLeasesIsTheHeartbeatOnlyAndThePolicyGuardsTheOperatorsLease() {
    List<PolicyRule> leaseRules =
        QuiesceChart.render().objects().objects().stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .filter(r -> r.getMetadata().getName().contains("node-helper"))
            .flatMap(r -> r.getRules().stream())
            .filter(rule -> rule.getResources().contains("leases"))
            .toList();
    assertThat(leaseRules)
        .singleElement()
        .satisfies(
            rule ->
                assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "create", "update"));
    assertThat(policy.at("/spec/matchConstraints/resourceRules").toString()).contains("leases");
  }

  /**
   * Only the operator may set or change a snapshot's schedule UID, the proof retention relies on.
   */
  @Test
  void onlyTheOperatorMaySetTheScheduleUidThatRetentionTrusts() {
    JsonNode provenance = named("ValidatingAdmissionPolicy", "-provenance");
    String operator = "system:serviceaccount:" + QuiesceChart.NAMESPACE + ":quiesce-operator";
    Map<String, Object> plain =
        Map.of("metadata", Map.of("name", "s", "labels", Map.of("quiesce.io/schedule", "x")));
    Map<String, Object> claimed =
        Map.of(
            "metadata",
            Map.of("name", "s", "annotations", Map.of("quiesce.io/schedule-uid", "uid-1")));
    Request user =
        new Request(request("quiesce.io", "quiescedsnapshots", null, "s", "CREATE", "alice", null));
    Request op =
        new Request(
            request("quiesce.io", "quiescedsnapshots", null, "s", "CREATE", operator, null));
    Request userUpdate =
        new Request(request("quiesce.io", "quiescedsnapshots", null, "s", "UPDATE", "alice", null));

    assertThat(admit(provenance, user, plain, null)).isTrue();
    assertThat(admit(provenance, user, claimed, null))
        .as("a user claiming a schedule's UID")
        .isFalse();
    assertThat(admit(provenance, userUpdate, claimed, plain)).as("added by an update").isFalse();
    assertThat(admit(provenance, userUpdate, claimed, claimed))
        .as("left as the operator set it")
        .isTrue();
    assertThat(admit(provenance, op, claimed, null)).as("the operator").isTrue();
  }

  private static JsonNode named(String kind, String suffix) {
    return documents(QuiesceChart.render().manifests()).stream()
        .filter(
            d ->
                kind.equals(d.path("kind").asText())
                    && d.at("/metadata/name").asText().endsWith(suffix))
        .findFirst()
        .orElseThrow();
  }

  // --- evaluation ---

  private record Request(Map<String, Object> fields) {}

  private static Request create(String group, String resource, String name) {
    return new Request(request(group, resource, null, name, "CREATE", HELPER, NODE));
  }

  private static Request update(String group, String resource, String subresource, String name) {
    return new Request(request(group, resource, subresource, name, "UPDATE", HELPER, NODE));
  }

  private static Map<String, Object> request(
      String group,
      String resource,
      String subresource,
      String name,
      String operation,
      String user,
      String node) {
    Map<String, Object> userInfo = new LinkedHashMap<>();
    userInfo.put("username", user);
    if (node != null) {
      userInfo.put("extra", Map.of("authentication.kubernetes.io/node-name", List.of(node)));
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("resource", Map.of("group", group, "version", "v1", "resource", resource));
    r.put("subResource", subresource == null ? "" : subresource);
    r.put("name", name);
    r.put("operation", operation);
    r.put("userInfo", userInfo);
    return r;
  }

  private static boolean matches(Request request) {
    return matches(policy, request);
  }

  private static boolean matches(JsonNode policy, Request request) {
    for (JsonNode condition : policy.at("/spec/matchConditions")) {
      if (!Boolean.TRUE.equals(
          eval(condition.path("expression").asText(), null, null, request, Map.of()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the API server would let this request through the policy (not matched means admitted).
   */
  private static boolean admit(Request request, Object object, Object oldObject) {
    return admit(policy, request, object, oldObject);
  }

  private static boolean admit(JsonNode policy, Request request, Object object, Object oldObject) {
    if (!matches(policy, request)) {
      return true;
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    for (JsonNode variable : policy.at("/spec/variables")) {
      variables.put(
          variable.path("name").asText(),
          eval(variable.path("expression").asText(), object, oldObject, request, variables));
    }
    for (JsonNode validation : policy.at("/spec/validations")) {
      if (!Boolean.TRUE.equals(
          eval(validation.path("expression").asText(), object, oldObject, request, variables))) {
        return false;
      }
    }
    return true;
  }

  private static Object eval(
      String expression,
      Object object,
      Object oldObject,
      Request request,
      Map<String, Object> variables) {
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put(
        "object", object == null ? dev.cel.common.values.NullValue.NULL_VALUE : mutable(object));
    vars.put(
        "oldObject",
        oldObject == null ? dev.cel.common.values.NullValue.NULL_VALUE : mutable(oldObject));
    vars.put("request", mutable(request.fields()));
    vars.put("variables", variables);
    try {
      return CEL.createProgram(CEL.compile(expression).getAst()).eval(vars);
    } catch (dev.cel.common.CelValidationException e) {
      throw new AssertionError(
          "policy CEL does not compile: " + expression + "\n" + e.getMessage(), e);
    } catch (CelEvaluationException e) {
      return e; // an evaluation error denies, as failurePolicy Fail does
    }
  }

  /** Deep copy into HashMap/ArrayList, the collection types dev.cel's runtime dispatches on. */
  private static Object mutable(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new java.util.HashMap<>();
      map.forEach((k, v) -> copy.put((String) k, mutable(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(mutable(v)));
      return copy;
    }
    return value;
  }

  // --- sample objects ---

  private static Map<String, Object> snapshot(String node, Map<String, Object> status) {
    return Map.of(
        "metadata",
        Map.of("name", "s1", "labels", Map.of("quiesce.io/node", node)),
        "status",
        status);
  }

  private static Map<String, Object> volumeSnapshot(String node, Map<String, Object> source) {
    return Map.of(
        "metadata",
        Map.of("name", "s1--disk", "labels", Map.of("quiesce.io/node", node)),
        "spec",
        Map.of("source", source));
  }

  private static Map<String, Object> coreEvent(String host, String kind) {
    return Map.of(
        "source",
        Map.of("host", host, "component", "quiesce-node-helper"),
        "involvedObject",
        Map.of("kind", kind, "name", "s1"));
  }

  private static List<JsonNode> documents(String manifests) {
    List<JsonNode> docs = new ArrayList<>();
    for (String doc : DOCUMENT_SEPARATOR.split(manifests)) {
      JsonNode node = Yaml.read(doc);
      if (node != null && node.isObject()) {
        docs.add(node);
      }
    }
    return docs;
  }
}
