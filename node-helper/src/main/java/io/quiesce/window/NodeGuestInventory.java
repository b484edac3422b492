package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.freeze.GuestInventory;
import io.quiesce.freeze.GuestRef;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guests of this node that start-up's survey looks at: the VirtualMachineInstances on this node
 * (KubeVirt labels them {@code kubevirt.io/nodeName}) that can be reached here, each through the
 * channel {@code auto} picks for it. The survey only reads their freeze state and reports a frozen
 * one as someone else's freeze: the guests this helper froze come from its journal, each with the
 * route its freeze used, and are thawed before this inventory is ever listed.
 */
final class NodeGuestInventory implements GuestInventory {
  static final String NODE_LABEL = "kubevirt.io/nodeName";
  private static final Logger LOG = LoggerFactory.getLogger(NodeGuestInventory.class);

  private final KubernetesClient client;
  private final GuestSockets sockets;
  private final String node;

  NodeGuestInventory(KubernetesClient client, GuestSockets sockets, String node) {
    this.client = client;
    this.sockets = sockets;
    this.node = node;
  }

  @Override
  public List<GuestRef> guests() {
    List<VirtualMachineInstance> onNode =
        client
            .resources(VirtualMachineInstance.class)
            .inAnyNamespace()
            .withLabel(NODE_LABEL, node)
            .list()
            .getItems()
            .stream()
            .filter(vmi -> vmi.getStatus() != null && node.equals(vmi.getStatus().getNodeName()))
            .toList();
    return onNode.stream()
        .map(vmi -> sockets.locate(vmi, QuiesceChannel.AUTO))
        .filter(
            located -> {
              if (!located.found()) {
                LOG.info("recovery skips {}: {}", located.guest(), located.problem());
              }
              return located.found();
            })
        .map(GuestSockets.Located::guest)
        .toList();
  }
}
