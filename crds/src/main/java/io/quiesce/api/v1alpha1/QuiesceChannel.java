package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * How a guest is reached for its freeze ({@code spec.quiesce.channel}, the VM annotation {@value
 * #ANNOTATION}, the chart's {@code channel}). The first of snapshot spec, VM annotation and cluster
 * default that names one wins; with none, {@link #AUTO}.
 */
public enum QuiesceChannel {
  /**
   * The node helper picks per VM: the VM's libvirt daemon socket when it exists, else an agent
   * socket no one holds; with neither, the operator freezes through KubeVirt's API.
   */
  @JsonProperty("auto")
  AUTO("auto"),
  /** The node helper speaks the guest agent protocol straight over the VM's agent socket. */
  @JsonProperty("qga")
  QGA("qga"),
  /** The node helper freezes through the libvirt daemon of the VM's virt-launcher pod. */
  @JsonProperty("libvirt")
  LIBVIRT("libvirt"),
  /**
   * The operator freezes through KubeVirt's freeze/unfreeze subresources; no node helper involved.
   */
  @JsonProperty("kubevirt-api")
  KUBEVIRT_API("kubevirt-api");

  /** VirtualMachine annotation that picks the channel for that VM's snapshots. */
  public static final String ANNOTATION = "quiesce.io/channel";

  /**
   * QuiescedSnapshot label the operator sets when it hands the snapshot to a node helper: the
   * channel it resolved ({@code auto}, {@code qga} or {@code libvirt}), which the helper obeys. A
   * label under Quiesce's prefix (like {@code quiesce.io/node}), so GitOps tools see no drift in
   * what the user manages, and {@code kubectl get qsnap -l quiesce.io/resolved-channel=libvirt}
   * works.
   */
  public static final String RESOLVED_LABEL = "quiesce.io/resolved-channel";

  private final String value;

  QuiesceChannel(String value) {
    this.value = value;
  }

  /** The value as written in specs, annotations and settings. */
  public String value() {
    return value;
  }

  /**
   * Parses a value as written in specs, annotations and settings.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static QuiesceChannel parse(String text) {
    String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (QuiesceChannel c : values()) {
      if (c.value.equals(wanted)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown channel '" + text + "': expected auto, qga, libvirt or kubevirt-api");
  }

  @Override
  public String toString() {
    return value;
  }
}
