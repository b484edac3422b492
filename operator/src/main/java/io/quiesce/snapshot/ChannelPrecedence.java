package io.quiesce.snapshot;

import io.quiesce.api.SnapshotSpecs;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.kube.kubevirt.VirtualMachine;
import java.util.Optional;

/**
 * Which channel a snapshot asks for, by one rule: {@code spec.quiesce.channel} of the snapshot,
 * else the VM's {@value QuiesceChannel#ANNOTATION} annotation, else the cluster default (the
 * chart's {@code channel}, {@code QUIESCE_DEFAULT_CHANNEL}), else {@code auto}.
 */
final class ChannelPrecedence {

  private ChannelPrecedence() {}

  /**
   * The channel asked for and who asked for it.
   *
   * @param channel the channel
   * @param source where it came from, for messages ("spec.quiesce.channel", ...)
   */
  record Requested(QuiesceChannel channel, String source) {}

  /** The VM's annotation holds no channel name; the snapshot fails rather than guess. */
  static final class InvalidChannelException extends Exception {
    InvalidChannelException(String message) {
      super(message);
    }
  }

  /**
   * Resolves the channel of {@code snapshot}.
   *
   * @param clusterDefault the operator's setting; {@code null} means none was set
   * @throws InvalidChannelException when the VM's annotation names no known channel
   */
  static Requested resolve(
      QuiescedSnapshot snapshot, Optional<VirtualMachine> vm, QuiesceChannel clusterDefault)
      throws InvalidChannelException {
    QuiesceOptions quiesce = SnapshotSpecs.spec(snapshot).getQuiesce();
    if (quiesce != null && quiesce.getChannel() != null) {
      return new Requested(quiesce.getChannel(), "spec.quiesce.channel");
    }
    String annotated =
        vm.map(v -> v.getMetadata().getAnnotations())
            .map(a -> a.get(QuiesceChannel.ANNOTATION))
            .orElse(null);
    if (annotated != null) {
      try {
        return new Requested(
            QuiesceChannel.parse(annotated),
            "annotation " + QuiesceChannel.ANNOTATION + " of the VirtualMachine");
      } catch (IllegalArgumentException e) {
        throw new InvalidChannelException(
            "annotation "
                + QuiesceChannel.ANNOTATION
                + " of VirtualMachine "
                + vm.get().getMetadata().getName()
                + ": "
                + e.getMessage());
      }
    }
    if (clusterDefault != null) {
      return new Requested(clusterDefault, "the cluster default");
    }
    return new Requested(QuiesceChannel.AUTO, "the built-in default");
  }
}
