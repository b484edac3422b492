package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Snapshot spec > VM annotation > cluster default > auto. */
class ChannelPrecedenceTest {

  @ParameterizedTest(name = "spec={0} annotation={1} default={2} -> {3} from {4}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
            # spec        | VM annotation | cluster default | channel      | from
            -             | -             | -               | auto         | built-in default
            -             | -             | kubevirt-api    | kubevirt-api | cluster default
            -             | libvirt       | kubevirt-api    | libvirt      | annotation quiesce.io/channel
            -             | ' QGA '       | -               | qga          | annotation quiesce.io/channel
            qga           | libvirt       | kubevirt-api    | qga          | spec.quiesce.channel
            auto          | kubevirt-api  | kubevirt-api    | auto         | spec.quiesce.channel
            kubevirt-api  | -             | libvirt         | kubevirt-api | spec.quiesce.channel
            """,
      delimiter = '|')
  void theFirstThatNamesAChannelWins(
      String spec, String annotation, String clusterDefault, String expected, String source)
      throws Exception {
    ChannelPrecedence.Requested r =
        ChannelPrecedence.resolve(
            snapshot(spec),
            vm(annotation),
            clusterDefault == null ? null : QuiesceChannel.parse(clusterDefault));

    assertThat(r.channel()).isEqualTo(QuiesceChannel.parse(expected));
    assertThat(r.source()).contains(source);
  }

  @Test
  void anAnnotationNamingNoChannelIsRefusedNotIgnored() {
    assertThatThrownBy(
            () -> ChannelPrecedence.resolve(snapshot(null), vm("helper"), QuiesceChannel.AUTO))
        .isInstanceOf(ChannelPrecedence.InvalidChannelException.class)
        .hasMessageContaining("quiesce.io/channel")
        .hasMessageContaining("'helper'");
  }

  @Test
  void noVmMeansTheDefault() throws Exception {
    assertThat(
            ChannelPrecedence.resolve(snapshot(null), Optional.empty(), QuiesceChannel.QGA)
                .channel())
        .isEqualTo(QuiesceChannel.QGA);
  }

  private static QuiescedSnapshot snapshot(String channel) {
    QuiescedSnapshot s =
        SnapshotTestSupport.snapshot("ns", "s1", "db", QuiesceMode.Required, "30s");
    if (channel != null) {
      s.getSpec().getQuiesce().setChannel(QuiesceChannel.parse(channel));
    }
    return s;
  }

  private static Optional<VirtualMachine> vm(String annotation) {
    VirtualMachine vm = Fixtures.runningVm("ns", "db").build().vm();
    if (annotation != null) {
      vm.getMetadata().setAnnotations(Map.of(QuiesceChannel.ANNOTATION, annotation));
    }
    return Optional.of(vm);
  }
}
