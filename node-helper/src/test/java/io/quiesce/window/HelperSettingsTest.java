package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The environment the chart's DaemonSet sets (charts/quiesce/templates/node-helper/daemonset.yaml).
 */
class HelperSettingsTest {

  private static Map<String, String> chartEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_NAME", "node01");
    env.put("POD_NAMESPACE", "quiesce-system");
    env.put("QUIESCE_SOCKET_ROOTS", "/var/run/kubevirt-private,/var/lib/quiesce/sockets");
    env.put("QUIESCE_SOCKET_TEMPLATES", "/var/run/kubevirt-private/{podUID}/virt-serial0-qga.sock");
    env.put("QUIESCE_MAX_FREEZES_PER_NODE", "3");
    env.put("QUIESCE_FREEZE_TIMEOUT_MAX", "30s");
    env.put("QUIESCE_HEALTH_ADDRESS", "0.0.0.0:8081");
    env.put("QUIESCE_DEFAULT_CHANNEL", "auto");
    env.put("QUIESCE_LIBVIRT_SOCKET_ROOT", "/var/lib/kubelet/pods");
    return env;
  }

  @Test
  void readsEveryVariableTheChartSets() {
    HelperSettings settings = HelperSettings.fromEnv(chartEnv());

    assertThat(settings.nodeName()).isEqualTo("node01");
    assertThat(settings.namespace()).isEqualTo("quiesce-system");
    assertThat(settings.socketRoots())
        .containsExactly(Path.of("/var/run/kubevirt-private"), Path.of("/var/lib/quiesce/sockets"));
    assertThat(settings.socketTemplates())
        .containsExactly("/var/run/kubevirt-private/{podUID}/virt-serial0-qga.sock");
    assertThat(settings.maxFreezesPerNode()).isEqualTo(3);
    assertThat(settings.freezeTimeoutMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.healthAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 8081));
    assertThat(settings.defaultChannel()).isEqualTo(QuiesceChannel.AUTO);
    assertThat(settings.libvirtSocketRoot()).isEqualTo(Path.of("/var/lib/kubelet/pods"));
    assertThat(settings.libvirtSocketTemplate())
        .isEqualTo(
            "/var/lib/kubelet/pods/{podUID}/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock");
  }

  @Test
  void theFreezeJournalIsTheChartsHostDirectoryByDefaultAndMustBeAbsolute() {
    Map<String, String> env = chartEnv();
    assertThat(HelperSettings.fromEnv(env).journalDir())
        .isEqualTo(Path.of("/var/lib/quiesce/journal"));
    env.put("QUIESCE_JOURNAL_DIR", "/srv/quiesce/../journal");
    assertThat(HelperSettings.fromEnv(env).journalDir()).isEqualTo(Path.of("/srv/journal"));
    env.put("QUIESCE_JOURNAL_DIR", "journal");
    assertThatThrownBy(() -> HelperSettings.fromEnv(env))
        .hasMessageContaining("QUIESCE_JOURNAL_DIR");
  }

  @Test
  void theLibvirtChannelIsOffWithoutItsRootAndTheQgaTemplatesMayBeEmpty() {
    Map<String, String> env = chartEnv();
    env.remove("QUIESCE_LIBVIRT_SOCKET_ROOT");
    env.remove("QUIESCE_DEFAULT_CHANNEL");
    env.put("QUIESCE_SOCKET_TEMPLATES", "");

    HelperSettings settings = HelperSettings.fromEnv(env);

    assertThat(settings.libvirtSocketRoot()).isNull();
    assertThat(settings.libvirtSocketTemplate()).isNull();
    assertThat(settings.socketTemplates()).isEmpty();
    assertThat(settings.defaultChannel()).isEqualTo(QuiesceChannel.AUTO);
    env.put("QUIESCE_LIBVIRT_SOCKET_TEMPLATE", "/var/lib/kubelet/pods/{podUID}/sock");
    assertThatThrownBy(() -> HelperSettings.fromEnv(env))
        .hasMessageContaining("QUIESCE_LIBVIRT_SOCKET_ROOT");
    env.remove("QUIESCE_LIBVIRT_SOCKET_TEMPLATE");
    env.put("QUIESCE_DEFAULT_CHANNEL", "helper");
    assertThatThrownBy(() -> HelperSettings.fromEnv(env))
        .hasMessageContaining("QUIESCE_DEFAULT_CHANNEL");
  }

  @Test
  void namesTheVariableThatIsMissingOrMalformed() {
    for (String name : List.of("NODE_NAME", "POD_NAMESPACE", "QUIESCE_SOCKET_ROOTS")) {
      Map<String, String> env = chartEnv();
      env.remove(name);
      assertThatThrownBy(() -> HelperSettings.fromEnv(env)).hasMessageContaining(name);
    }
    Map<String, String> env = chartEnv();
    env.put("QUIESCE_MAX_FREEZES_PER_NODE", "many");
    assertThatThrownBy(() -> HelperSettings.fromEnv(env))
        .hasMessageContaining("QUIESCE_MAX_FREEZES_PER_NODE");
    env.put("QUIESCE_MAX_FREEZES_PER_NODE", "2");
    env.put("QUIESCE_FREEZE_TIMEOUT_MAX", "30");
    assertThatThrownBy(() -> HelperSettings.fromEnv(env))
        .hasMessageContaining("QUIESCE_FREEZE_TIMEOUT_MAX");
  }
}
