package io.quiesce.chart;

import static io.quiesce.chart.PodSpecs.env;
import static io.quiesce.chart.PodSpecs.onlyContainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Wrong values fail at install (values.schema.json, or a check in a template for rules that span
 * two fields), and the error names the field.
 */
class ChartValuesValidationTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
            wrong type                    | operator: {replicas: two}                                    | at '/operator/replicas': got string, want integer
            negative replicas             | operator: {replicas: -1}                                     | at '/operator/replicas': minimum
            unknown channel               | channel: helper                                              | at '/channel': value must be one of
            the old channel key           | operator: {defaultChannel: kubevirt-api}                     | additional properties 'defaultChannel' not allowed
            libvirt root climbing out     | nodeHelper: {libvirt: {socketRoot: '/var/lib/kubelet/../../etc'}} | at '/nodeHelper/libvirt/socketRoot'
            relative libvirt template     | nodeHelper: {libvirt: {socketTemplate: 'pods/{podUID}/sock'}} | at '/nodeHelper/libvirt/socketTemplate'
            libvirt template outside root | nodeHelper: {libvirt: {socketTemplate: '/run/{podUID}/virtqemud-sock'}} | nodeHelper.libvirt.socketTemplate: "/run/{podUID}/virtqemud-sock" is not under nodeHelper.libvirt.socketRoot "/var/lib/kubelet/pods"
            unknown log format            | logging: {format: xml}                                       | at '/logging/format': value must be one of
            unknown log level             | logging: {level: verbose}                                    | at '/logging/level': value must be one of
            misspelt key                  | operator: {replcas: 2}                                       | additional properties 'replcas' not allowed
            misspelt top-level key        | nodeHelpers: {}                                              | additional properties 'nodeHelpers' not allowed
            empty image repository        | nodeHelper: {image: {repository: ''}}                        | at '/nodeHelper/image/repository'
            bad pull policy               | operator: {image: {pullPolicy: Sometimes}}                   | at '/operator/image/pullPolicy': value must be one of
            malformed digest              | operator: {image: {digest: latest}}                          | at '/operator/image/digest'
            host root as socket root      | nodeHelper: {socketRoots: ['/']}                             | at '/nodeHelper/socketRoots/0'
            socket root climbing out      | nodeHelper: {socketRoots: ['/var/lib/kubelet/../../etc']}    | at '/nodeHelper/socketRoots/0'
            relative socket root          | nodeHelper: {socketRoots: ['var/lib/kubelet/pods']}          | at '/nodeHelper/socketRoots/0'
            no socket root                | nodeHelper: {socketRoots: []}                                | at '/nodeHelper/socketRoots'
            template climbing out         | nodeHelper: {socketTemplates: ['/var/lib/kubelet/pods/../../../etc/{name}']} | at '/nodeHelper/socketTemplates/0'
            freeze ceiling too high       | freeze: {timeoutMaxSeconds: 600}                             | at '/freeze/timeoutMaxSeconds': maximum
            zero per-node cap             | freeze: {maxPerNode: 0}                                      | at '/freeze/maxPerNode': minimum
            two operators without leader  | operator: {leaderElection: false}                            | at '/operator/leaderElection': value must be true
            port out of range             | nodeHelper: {healthPort: 70000}                              | at '/nodeHelper/healthPort': maximum
            template outside the roots    | nodeHelper: {socketTemplates: ['/etc/qga/{name}.sock']}      | nodeHelper.socketTemplates: "/etc/qga/{name}.sock" is not under any of nodeHelper.socketRoots
            relative journal dir          | nodeHelper: {journalDir: 'var/lib/quiesce'}                  | at '/nodeHelper/journalDir'
            journal dir climbing out      | nodeHelper: {journalDir: '/var/lib/quiesce/../../etc'}       | at '/nodeHelper/journalDir'
            journal under a socket root   | nodeHelper: {journalDir: '/var/run/kubevirt-private/journal'} | nodeHelper.journalDir "/var/run/kubevirt-private/journal" must not be, contain or lie under the socket root "/var/run/kubevirt-private"
            journal around a socket root  | nodeHelper: {journalDir: '/var/lib'}                         | nodeHelper.journalDir "/var/lib" must not be, contain or lie under the socket root "/var/lib/kubelet/pods"
            grace shorter than a freeze   | nodeHelper: {terminationGracePeriodSeconds: 39}              | nodeHelper.terminationGracePeriodSeconds (39) must be at least freeze.timeoutMaxSeconds + 10 (40)
            """)
  void rejects(String what, String values, String error) throws IOException {
    Path file = Files.writeString(dir.resolve("values.yaml"), values);

    assertThatThrownBy(() -> QuiesceChart.render().values(file).manifests())
        .as(what)
        .hasMessageContaining(error);
  }

  @Test
  void acceptsTheEdgesOfWhatItRejects() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("values.yaml"),
            """
                operator: {replicas: 1, leaderElection: false}
                nodeHelper:
                  terminationGracePeriodSeconds: 40
                  socketTemplates: ['/var/run/kubevirt-private/{podUID}/qga/{namespace}_{name}.sock']
                """);

    RenderedChart chart = QuiesceChart.render().values(file).objects();

    assertThat(chart.one(Deployment.class, "quiesce-operator").getSpec().getReplicas())
        .isEqualTo(1);
    assertThat(
            env(
                onlyContainer(
                    chart
                        .one(Deployment.class, "quiesce-operator")
                        .getSpec()
                        .getTemplate()
                        .getSpec())))
        .containsEntry("QUIESCE_LEADER_ELECTION", "false");
    assertThat(
            chart
                .one(DaemonSet.class, "quiesce-node-helper")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTerminationGracePeriodSeconds())
        .isEqualTo(40L);
  }

  @ParameterizedTest(name = "channel {0}")
  @CsvSource({"qga", "kubevirt-api"})
  void withoutTheLibvirtChannelKubeletsPodsDirIsNotMountedNorItsTemplateChecked(String channel)
      throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("values.yaml"),
            "channel: "
                + channel
                + "\n"
                + "nodeHelper: {libvirt: {socketTemplate: '/elsewhere/{podUID}/sock'}}\n");

    PodSpec helper =
        QuiesceChart.render()
            .values(file)
            .objects()
            .one(DaemonSet.class, "quiesce-node-helper")
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(helper.getVolumes())
        .filteredOn(v -> v.getHostPath() != null)
        .extracting(v -> v.getHostPath().getPath())
        .containsExactly("/var/run/kubevirt-private", "/var/lib/quiesce/journal");
    assertThat(env(onlyContainer(helper)))
        .containsEntry("QUIESCE_DEFAULT_CHANNEL", channel)
        .doesNotContainKeys("QUIESCE_LIBVIRT_SOCKET_ROOT", "QUIESCE_LIBVIRT_SOCKET_TEMPLATE");
  }

  @Test
  void aLibvirtRootThatIsAlsoASocketRootIsMountedOnce() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("values.yaml"),
            "nodeHelper: {socketRoots: [/var/lib/kubelet/pods, /var/run/kubevirt-private]}\n");

    PodSpec helper =
        QuiesceChart.render()
            .values(file)
            .objects()
            .one(DaemonSet.class, "quiesce-node-helper")
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(helper.getVolumes())
        .filteredOn(v -> v.getHostPath() != null)
        .extracting(v -> v.getHostPath().getPath())
        .containsExactly(
            "/var/lib/kubelet/pods", "/var/run/kubevirt-private", "/var/lib/quiesce/journal");
  }
}
