package io.quiesce.window;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The environment the chart's DaemonSet sets (charts/quiesce/templates/node-helper/daemonset.yaml). */
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
        return env;
    }

    @Test
    void readsEveryVariableTheChartSets() {
        HelperSettings settings = HelperSettings.fromEnv(chartEnv());

        assertThat(settings.nodeName()).isEqualTo("node01");
        assertThat(settings.namespace()).isEqualTo("quiesce-system");
        assertThat(settings.socketRoots()).containsExactly(Path.of("/var/run/kubevirt-private"),
                Path.of("/var/lib/quiesce/sockets"));
        assertThat(settings.socketTemplates()).containsExactly("/var/run/kubevirt-private/{podUID}/virt-serial0-qga.sock");
        assertThat(settings.maxFreezesPerNode()).isEqualTo(3);
        assertThat(settings.freezeTimeoutMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.healthAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 8081));
    }

    @Test
    void namesTheVariableThatIsMissingOrMalformed() {
        for (String name : List.of("NODE_NAME", "POD_NAMESPACE", "QUIESCE_SOCKET_ROOTS", "QUIESCE_SOCKET_TEMPLATES")) {
            Map<String, String> env = chartEnv();
            env.remove(name);
            assertThatThrownBy(() -> HelperSettings.fromEnv(env)).hasMessageContaining(name);
        }
        Map<String, String> env = chartEnv();
        env.put("QUIESCE_MAX_FREEZES_PER_NODE", "many");
        assertThatThrownBy(() -> HelperSettings.fromEnv(env)).hasMessageContaining("QUIESCE_MAX_FREEZES_PER_NODE");
        env.put("QUIESCE_MAX_FREEZES_PER_NODE", "2");
        env.put("QUIESCE_FREEZE_TIMEOUT_MAX", "30");
        assertThatThrownBy(() -> HelperSettings.fromEnv(env)).hasMessageContaining("QUIESCE_FREEZE_TIMEOUT_MAX");
    }
}
