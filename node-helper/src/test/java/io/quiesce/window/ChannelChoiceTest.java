package io.quiesce.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which sockets exist on the node × the channel asked for → the channel used, or the reason why none. */
class ChannelChoiceTest {
    private static final Path LIBVIRT = Path.of("/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock");
    private static final Path AGENT = Path.of("/var/run/kubevirt-private/u/qga.sock");

    @ParameterizedTest(name = "{0} with libvirt socket={1}, agent socket={2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # asked       | libvirt socket | agent socket | outcome
            auto          | true           | true         | libvirt
            auto          | true           | false        | libvirt
            auto          | false          | true         | qga
            auto          | false          | false        | NoAgentChannel
            libvirt       | true           | true         | libvirt
            libvirt       | true           | false        | libvirt
            libvirt       | false          | true         | LibvirtSocketNotFound
            libvirt       | false          | false        | LibvirtSocketNotFound
            qga           | true           | true         | qga
            qga           | false          | true         | qga
            qga           | true           | false        | AgentSocketNotFound
            qga           | false          | false        | AgentSocketNotFound
            kubevirt-api  | true           | true         | ChannelNotServed
            """)
    void choosesByTheTable(String asked, boolean libvirtFound, boolean agentFound, String outcome) {
        ChannelChoice.Sockets sockets = new ChannelChoice.Sockets(libvirtFound ? LIBVIRT : null,
                libvirtFound ? null : "no libvirt socket at " + LIBVIRT, agentFound ? AGENT : null,
                agentFound ? null : "no agent socket at " + AGENT);

        ChannelChoice.Choice choice = ChannelChoice.choose(QuiesceChannel.parse(asked), sockets);

        if (outcome.equals("libvirt") || outcome.equals("qga")) {
            assertThat(choice.found()).isTrue();
            assertThat(choice.method().name().toLowerCase()).isEqualTo(outcome);
            assertThat(choice.socket()).isEqualTo(outcome.equals("libvirt") ? LIBVIRT : AGENT);
            assertThat(choice.reason()).isNull();
        } else {
            assertThat(choice.found()).isFalse();
            assertThat(choice.reason()).isEqualTo(outcome);
            // the message says what was looked for, so the status tells an operator where to look
            if (!outcome.equals("AgentSocketNotFound") && !outcome.equals("ChannelNotServed")) {
                assertThat(choice.problem()).contains(LIBVIRT.toString());
            }
            if (!outcome.equals("LibvirtSocketNotFound") && !outcome.equals("ChannelNotServed")) {
                assertThat(choice.problem()).contains(AGENT.toString());
            }
        }
    }
}
