package io.quiesce.chart;

import static io.quiesce.chart.PodSpecs.env;
import static io.quiesce.chart.PodSpecs.onlyContainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quiesce.bench.ChartJvmFlags;
import io.quiesce.locate.PinnedSocket;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a plain {@code helm install} of the chart creates, object by object. */
class ChartDefaultsTest {
  /**
   * The operator's: a heap of 60 % of the limit (the rest holds its non-heap memory at 5,000 VMs)
   * and only the C1 JIT (docs/performance.md, "The operator's resident memory at scale"); a common
   * fork-join pool of 2, so that the HTTP client's asynchronous steps do not start a thread each
   * ("Threads per request").
   */
  private static final List<String> OPERATOR_JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:MaxRAMPercentage=60",
          "-XX:+ExitOnOutOfMemoryError",
          "-Xss512k",
          "-XX:TieredStopAtLevel=1",
          "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

  /**
   * The helper's: a heap of 75 % of its limit, a light JIT, a small code cache, a heap given back,
   * a small young generation, the image's class-data archive.
   */
  private static final List<String> HELPER_JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:MaxRAMPercentage=75",
          "-XX:+ExitOnOutOfMemoryError",
          "-Xss512k",
          "-XX:TieredStopAtLevel=1",
          "-XX:CICompilerCount=1",
          "-XX:ReservedCodeCacheSize=16m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=20",
          "-Xmn2m",
          "-XX:SharedArchiveFile=/app/node-helper.jsa");

  private static final List<String> SOCKET_ROOTS = List.of("/var/run/kubevirt-private");
  private static final String KUBELET_PODS = "/var/lib/kubelet/pods";
  private static final String JOURNAL_DIR = "/var/lib/quiesce/journal";

  private static RenderedChart chart;
  private static String appVersion;

  @BeforeAll
  static void render() throws IOException {
    chart = QuiesceChart.render().objects();
    appVersion = QuiesceChart.appVersion();
  }

  @Test
  void createsTheTwoComponentsWithTheirAccountsRbacAndServicesOnly() {
    assertThat(chart.names())
        .containsExactlyInAnyOrder(
            "ServiceAccount/quiesce-operator",
            "ServiceAccount/quiesce-node-helper",
            "ClusterRole/quiesce-operator",
            "ClusterRole/quiesce-node-helper",
            "ClusterRoleBinding/quiesce-operator",
            "ClusterRoleBinding/quiesce-node-helper",
            "Role/quiesce-operator",
            "Role/quiesce-node-helper",
            "RoleBinding/quiesce-operator",
            "RoleBinding/quiesce-node-helper",
            "Service/quiesce-operator-metrics",
            "Service/quiesce-node-helper-metrics",
            "Deployment/quiesce-operator",
            "DaemonSet/quiesce-node-helper",
            "ValidatingAdmissionPolicy/quiesce-node-helper-node-bound",
            "ValidatingAdmissionPolicyBinding/quiesce-node-helper-node-bound",
            "ValidatingAdmissionPolicy/quiesce-operator-provenance",
            "ValidatingAdmissionPolicyBinding/quiesce-operator-provenance");
  }

  @Test
  void everyObjectHasTheStandardLabelsAndNamespacedOnesLiveInTheReleaseNamespace() {
    for (HasMetadata object : chart.objects()) {
      assertThat(object.getMetadata().getLabels())
          .as(object.getKind() + "/" + object.getMetadata().getName())
          .contains(
              entry("app.kubernetes.io/name", "quiesce"),
              entry("app.kubernetes.io/instance", QuiesceChart.RELEASE),
              entry("app.kubernetes.io/version", appVersion),
              entry("app.kubernetes.io/managed-by", "Helm"),
              entry("app.kubernetes.io/part-of", "quiesce"),
              entry("helm.sh/chart", "quiesce-" + appVersion))
          .containsKey("app.kubernetes.io/component");
      boolean clusterScoped =
          object.getKind().startsWith("Cluster")
              || object.getKind().startsWith("ValidatingAdmissionPolicy");
      assertThat(object.getMetadata().getNamespace())
          .as(object.getKind())
          .isEqualTo(clusterScoped ? null : QuiesceChart.NAMESPACE);
    }
  }

  @Test
  void operatorRunsTheOperatorJarWithItsConfiguration() throws IOException {
    Deployment deployment = chart.one(Deployment.class, "quiesce-operator");
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = onlyContainer(pod);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(container.getImage()).isEqualTo("ghcr.io/quiesce-io/quiesce-operator:" + appVersion);
    assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(container.getCommand()).isEqualTo(javaCommand("operator.jar"));
    assertThat(env(container))
        .containsExactly(
            entry("POD_NAMESPACE", "fieldRef:metadata.namespace"),
            entry("POD_NAME", "fieldRef:metadata.name"),
            entry("QUIESCE_WATCH_NAMESPACES", ""),
            entry("QUIESCE_LEADER_ELECTION", "true"),
            entry("QUIESCE_MAX_CONCURRENT_FREEZES", "10"),
            entry("QUIESCE_MAX_FREEZES_PER_NODE", "2"),
            entry("QUIESCE_DEFAULT_CHANNEL", "auto"),
            entry("QUIESCE_FREEZE_TIMEOUT_MAX", "30s"),
            entry("QUIESCE_HEALTH_ADDRESS", "0.0.0.0:8080"),
            entry("QUIESCE_LOG_FORMAT", "text"),
            entry("QUIESCE_LOG_LEVEL", "info"));
    assertThat(pod.getServiceAccountName())
        .isEqualTo(chart.one(ServiceAccount.class, "quiesce-operator").getMetadata().getName());
    assertHealthEndpoints(container, 8080);
    assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("320Mi"));
    assertThat(
            ChartJvmFlags.of(
                QuiesceChart.projectRoot().resolve("charts/quiesce/values.yaml"), "operator"))
        .as("what the benchmarks run the operator with")
        .isEqualTo(OPERATOR_JVM_FLAGS);
  }

  @Test
  void theOperatorAndTheHelperGetTheSameFreezeMaximum() {
    RenderedChart lowered = QuiesceChart.render().set("freeze.timeoutMaxSeconds", 12).objects();
    Container operator =
        onlyContainer(
            lowered.one(Deployment.class, "quiesce-operator").getSpec().getTemplate().getSpec());
    Container helper =
        onlyContainer(
            lowered.one(DaemonSet.class, "quiesce-node-helper").getSpec().getTemplate().getSpec());

    assertThat(env(operator)).containsEntry("QUIESCE_FREEZE_TIMEOUT_MAX", "12s");
    assertThat(env(helper)).containsEntry("QUIESCE_FREEZE_TIMEOUT_MAX", "12s");
  }

  @Test
  void operatorRunsAsNonRootWithNothingWritableButTmp() {
    PodSpec pod = chart.one(Deployment.class, "quiesce-operator").getSpec().getTemplate().getSpec();
    PodSecurityContext podSecurity = pod.getSecurityContext();
    SecurityContext security = onlyContainer(pod).getSecurityContext();

    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isEmpty();
    assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactly("tmp");
    assertThat(pod.getVolumes().get(0).getEmptyDir()).isNotNull();
    assertThat(onlyContainer(pod).getVolumeMounts())
        .extracting(VolumeMount::getMountPath)
        .containsExactly("/tmp");
    assertNoHostNamespaces(pod);
  }

  @Test
  void nodeHelperRunsTheHelperJarWithItsConfiguration() throws IOException {
    DaemonSet daemonSet = chart.one(DaemonSet.class, "quiesce-node-helper");
    PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
    Container container = onlyContainer(pod);

    assertThat(container.getImage())
        .isEqualTo("ghcr.io/quiesce-io/quiesce-node-helper:" + appVersion);
    assertThat(container.getCommand())
        .isEqualTo(
            concat(
                List.of("java"),
                PinnedSocket.JVM_FLAGS,
                HELPER_JVM_FLAGS,
                List.of("-jar", "/app/node-helper.jar", "run")));
    assertThat(
            ChartJvmFlags.of(
                QuiesceChart.projectRoot().resolve("charts/quiesce/values.yaml"), "nodeHelper"))
        .as("what the benchmarks run the helper with")
        .isEqualTo(concat(PinnedSocket.JVM_FLAGS, HELPER_JVM_FLAGS));
    assertThat(env(container))
        .containsExactly(
            entry("NODE_NAME", "fieldRef:spec.nodeName"),
            entry("POD_NAMESPACE", "fieldRef:metadata.namespace"),
            entry("QUIESCE_SOCKET_ROOTS", String.join(",", SOCKET_ROOTS)),
            entry("QUIESCE_SOCKET_TEMPLATES", ""),
            entry("QUIESCE_DEFAULT_CHANNEL", "auto"),
            entry("QUIESCE_LIBVIRT_SOCKET_ROOT", KUBELET_PODS),
            entry(
                "QUIESCE_LIBVIRT_SOCKET_TEMPLATE",
                KUBELET_PODS
                    + "/{podUID}/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock"),
            entry("QUIESCE_MAX_FREEZES_PER_NODE", "2"),
            entry("QUIESCE_FREEZE_TIMEOUT_MAX", "30s"),
            entry("QUIESCE_HEALTH_ADDRESS", "0.0.0.0:8081"),
            entry("QUIESCE_JOURNAL_DIR", JOURNAL_DIR),
            entry("QUIESCE_LOG_FORMAT", "text"),
            entry("QUIESCE_LOG_LEVEL", "info"));
    assertThat(pod.getServiceAccountName())
        .isEqualTo(chart.one(ServiceAccount.class, "quiesce-node-helper").getMetadata().getName());
    assertHealthEndpoints(container, 8081);
    assertThat(container.getResources().getRequests())
        .containsEntry("cpu", new Quantity("50m"))
        .containsEntry("memory", new Quantity("96Mi"));
    assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("160Mi"));
  }

  @Test
  void nodeHelperMountsExactlyTheSocketRootsAndKubeletsPodsDirFromTheHostReadOnly() {
    PodSpec pod =
        chart.one(DaemonSet.class, "quiesce-node-helper").getSpec().getTemplate().getSpec();
    // the journal is the one writable host directory; checked on its own below
    List<Volume> hostPaths =
        pod.getVolumes().stream()
            .filter(v -> v.getHostPath() != null)
            .filter(v -> !v.getName().equals("freeze-journal"))
            .toList();

    // kubelet's pods dir only for the libvirt channel, which the default channel auto may use
    assertThat(hostPaths)
        .extracting(v -> v.getHostPath().getPath())
        .containsExactly(SOCKET_ROOTS.get(0), KUBELET_PODS);
    assertThat(hostPaths).extracting(v -> v.getHostPath().getType()).containsOnly("Directory");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getHostPath() == null)
        .allSatisfy(v -> assertThat(v.getEmptyDir()).as(v.getName()).isNotNull());
    for (Volume hostPath : hostPaths) {
      VolumeMount mount =
          onlyContainer(pod).getVolumeMounts().stream()
              .filter(m -> m.getName().equals(hostPath.getName()))
              .findFirst()
              .orElseThrow();
      assertThat(mount.getMountPath()).isEqualTo(hostPath.getHostPath().getPath());
      assertThat(mount.getReadOnly()).as(mount.getMountPath()).isTrue();
      assertThat(mount.getMountPropagation()).isEqualTo("HostToContainer");
    }
    assertNoHostNamespaces(pod);
  }

  @Test
  void nodeHelperWritesOnlyItsFreezeJournalOnTheHostAHostPathThatOutlivesThePod() {
    PodSpec pod =
        chart.one(DaemonSet.class, "quiesce-node-helper").getSpec().getTemplate().getSpec();
    Volume journal =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals("freeze-journal"))
            .findFirst()
            .orElseThrow();
    assertThat(journal.getHostPath().getPath()).isEqualTo(JOURNAL_DIR);
    assertThat(journal.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
    List<VolumeMount> writable =
        onlyContainer(pod).getVolumeMounts().stream()
            .filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
            .toList();
    assertThat(writable)
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .containsExactlyInAnyOrder(tuple("tmp", "/tmp"), tuple("freeze-journal", JOURNAL_DIR));
    assertThat(writable).allSatisfy(m -> assertThat(m.getMountPropagation()).isNull());
    assertThat(env(onlyContainer(pod))).containsEntry("QUIESCE_JOURNAL_DIR", JOURNAL_DIR);
  }

  /**
   * uid 0 with DAC_OVERRIDE alone, no escalation: the context that node-helper's
   * NodeHelperSecurityContextRealLibvirtTest emulates with setpriv
   * (ChartSecurityContext.DAC_OVERRIDE_ONLY) and shows to freeze through a non-root launcher's
   * owner-only libvirt socket.
   */
  @Test
  void nodeHelperIsRootButUnprivilegedWithDacOverrideOnly() {
    PodSpec pod =
        chart.one(DaemonSet.class, "quiesce-node-helper").getSpec().getTemplate().getSpec();
    PodSecurityContext podSecurity = pod.getSecurityContext();
    SecurityContext security = onlyContainer(pod).getSecurityContext();

    assertThat(podSecurity.getRunAsUser()).isZero();
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).containsExactly("DAC_OVERRIDE");
    assertThat(security.getSeLinuxOptions()).as("spc_t is opt-in, for SELinux nodes").isNull();
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void nodeHelperTakesSpcTOnSelinuxNodesWhenAsked() {
    PodSpec selinux =
        QuiesceChart.render()
            .set("nodeHelper.securityContext.seLinuxOptions.type", "spc_t")
            .objects()
            .one(DaemonSet.class, "quiesce-node-helper")
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(onlyContainer(selinux).getSecurityContext().getSeLinuxOptions().getType())
        .isEqualTo("spc_t");
    assertThat(onlyContainer(selinux).getSecurityContext().getCapabilities().getAdd())
        .containsExactly("DAC_OVERRIDE");
  }

  @Test
  void nodeHelperStopsSlowlyEnoughToThawAndRollsOneNodeAtATime() {
    DaemonSet daemonSet = chart.one(DaemonSet.class, "quiesce-node-helper");
    PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
    int freezeTimeoutMax =
        Integer.parseInt(
            env(onlyContainer(pod)).get("QUIESCE_FREEZE_TIMEOUT_MAX").replace("s", ""));

    assertThat(pod.getTerminationGracePeriodSeconds())
        .isEqualTo(45L)
        .isGreaterThanOrEqualTo(freezeTimeoutMax + 10L);
    assertThat(daemonSet.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(
            daemonSet
                .getSpec()
                .getUpdateStrategy()
                .getRollingUpdate()
                .getMaxUnavailable()
                .getIntVal())
        .isEqualTo(1);
    assertThat(pod.getNodeSelector()).containsExactly(entry("kubevirt.io/schedulable", "true"));
    assertThat(pod.getTolerations())
        .extracting(Toleration::getOperator, Toleration::getEffect, Toleration::getKey)
        .containsExactly(tuple("Exists", "NoSchedule", null));
  }

  @Test
  void eachMetricsServiceSelectsOnlyItsComponentsPodsAndNamesTheirPort() {
    Map<String, PodTemplateSpec> workloads =
        Map.of(
            "quiesce-operator-metrics",
                chart.one(Deployment.class, "quiesce-operator").getSpec().getTemplate(),
            "quiesce-node-helper-metrics",
                chart.one(DaemonSet.class, "quiesce-node-helper").getSpec().getTemplate());
    assertThat(chart.all(Service.class)).hasSize(2);

    for (Service service : chart.all(Service.class)) {
      String name = service.getMetadata().getName();
      Map<String, String> selector = service.getSpec().getSelector();
      workloads.forEach(
          (serviceName, template) ->
              assertThat(
                      template
                          .getMetadata()
                          .getLabels()
                          .entrySet()
                          .containsAll(selector.entrySet()))
                  .as("%s selects the pods of %s", name, serviceName)
                  .isEqualTo(serviceName.equals(name)));
      String targetPort = service.getSpec().getPorts().get(0).getTargetPort().getStrVal();
      assertThat(onlyContainer(workloads.get(name).getSpec()).getPorts())
          .anySatisfy(p -> assertThat(p.getName()).isEqualTo(targetPort));
    }
  }

  @Test
  void namesStayWithin63CharactersAndApartForTheLongestReleaseName() {
    String longest = "r".repeat(53); // Helm's limit for release names
    RenderedChart longRelease = QuiesceChart.render().releaseName(longest).objects();

    assertThat(longRelease.objects())
        .allSatisfy(o -> assertThat(o.getMetadata().getName()).hasSizeLessThanOrEqualTo(63));
    String operator = longRelease.all(Deployment.class).get(0).getMetadata().getName();
    String helper = longRelease.all(DaemonSet.class).get(0).getMetadata().getName();
    assertThat(operator).endsWith("-operator");
    assertThat(helper).endsWith("-node-helper");
    assertThat(longRelease.names()).doesNotHaveDuplicates();
  }

  private static List<String> javaCommand(String jar) {
    return concat(List.of("java"), OPERATOR_JVM_FLAGS, List.of("-jar", "/app/" + jar, "run"));
  }

  private static void assertHealthEndpoints(Container container, int port) {
    assertThat(container.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getContainerPort()).isEqualTo(port);
              assertThat(p.getName()).isEqualTo("http-metrics");
            });
    assertProbe(container.getStartupProbe(), "/healthz");
    assertProbe(container.getLivenessProbe(), "/healthz");
    assertProbe(container.getReadinessProbe(), "/readyz");
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).as(path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http-metrics");
  }

  private static void assertNoHostNamespaces(PodSpec pod) {
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    return Arrays.stream(parts).flatMap(List::stream).toList();
  }
}
