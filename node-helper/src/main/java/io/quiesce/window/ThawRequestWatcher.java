package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.events.EventRecorder;
import io.quiesce.freeze.FreezeEngine;
import io.quiesce.freeze.GuestRecovery;
import io.quiesce.freeze.GuestRef;
import io.quiesce.freeze.RecoveryAction;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.naming.ThawRequest;
import io.quiesce.status.Reason;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emergency thaws asked for over the API ({@link ThawRequest}, {@code kubectl quiesce thaw}):
 * watches the VirtualMachineInstances of this node (label {@code kubevirt.io/nodeName}, and {@code
 * status.nodeName} checked again) for a {@code quiesce.io/thaw-requested} token not answered yet,
 * ends any freeze window of ours on that guest, thaws it through this helper's channel, records an
 * {@code EmergencyThaw} Event on the instance and answers with {@code quiesce.io/thaw-done}. It
 * never freezes; a token already answered is no request; an instance of another node is never
 * touched; an invalid token gets a {@code ThawRequestInvalid} Event and nothing else.
 */
final class ThawRequestWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ThawRequestWatcher.class);
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  /** At most this many (uid, token) pairs remembered as handled in this process. */
  private static final int MAX_REMEMBERED = 4096;

  private final KubernetesClient client;
  private final String node;
  private final FreezeEngine engine;
  private final GuestSockets sockets;
  private final AssignedSnapshotWatcher windows;
  private final EventRecorder events;
  private final Duration ownThawWait;
  private final ExecutorService worker;
  private final SharedIndexInformer<VirtualMachineInstance> informer;
  private final CompletableFuture<Void> synced;

  /** uid + token handled (or refused) here, so that the update our own answer causes is quiet. */
  private final Set<String> handled = ConcurrentHashMap.newKeySet();

  /**
   * @param events records synchronously: the Event is written before the answer
   * @param ownThawWait how long to wait for the engine to let go of a freeze of ours
   * @param worker runs the thaws, one at a time
   */
  ThawRequestWatcher(
      KubernetesClient client,
      String node,
      FreezeEngine engine,
      GuestSockets sockets,
      AssignedSnapshotWatcher windows,
      EventRecorder events,
      Duration ownThawWait,
      ExecutorService worker) {
    this.client = client;
    this.node = node;
    this.engine = engine;
    this.sockets = sockets;
    this.windows = windows;
    this.events = events;
    this.ownThawWait = ownThawWait;
    this.worker = worker;
    this.informer =
        client
            .resources(VirtualMachineInstance.class)
            .inAnyNamespace()
            .withLabel(NodeGuestInventory.NODE_LABEL, node)
            .runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(VirtualMachineInstance vmi) {
            onChange(vmi);
          }

          @Override
          public void onUpdate(VirtualMachineInstance old, VirtualMachineInstance vmi) {
            onChange(vmi);
          }

          @Override
          public void onDelete(VirtualMachineInstance vmi, boolean deletedFinalStateUnknown) {
            // nothing to thaw: the guest is gone
          }
        });
    // returns at once: start-up waits for synced() beside its other informers
    this.synced = informer.start().toCompletableFuture();
  }

  /** Completes once the informer has listed the node's instances (exceptionally if it cannot). */
  CompletableFuture<Void> synced() {
    return synced;
  }

  private void onChange(VirtualMachineInstance vmi) {
    if (!onThisNode(vmi)) {
      return;
    }
    String token = ThawRequest.pending(vmi.getMetadata().getAnnotations()).orElse(null);
    if (token == null || !remember(vmi.getMetadata().getUid() + "/" + token)) {
      return;
    }
    try {
      worker.execute(() -> handle(vmi, token));
    } catch (RejectedExecutionException e) {
      LOG.info("helper stopping; thaw request {} of {} not handled", token, key(vmi));
    }
  }

  private boolean onThisNode(VirtualMachineInstance vmi) {
    return vmi.getStatus() != null && node.equals(vmi.getStatus().getNodeName());
  }

  private boolean remember(String key) {
    if (handled.size() >= MAX_REMEMBERED) {
      handled.clear();
    }
    return handled.add(key);
  }

  private void handle(VirtualMachineInstance vmi, String token) {
    GuestRef guest = new GuestRef(vmi.getMetadata().getNamespace(), vmi.getMetadata().getName());
    if (!ThawRequest.isValidToken(token)) {
      LOG.warn("{}: thaw request refused, not a valid token", guest);
      events.warning(
          vmi,
          Reason.THAW_REQUEST_INVALID.wire(),
          "annotation "
              + ThawRequest.REQUESTED
              + " is not a token (lower-case letters, digits and dashes, 8 to "
              + ThawRequest.MAX_TOKEN
              + " long); nothing was thawed. Use kubectl quiesce thaw.");
      return;
    }
    LOG.warn("{}: emergency thaw requested (token {})", guest, token);
    int windowsEnded = windows == null ? 0 : windows.abortWindowsOf(guest);
    ThawRequest.Outcome outcome;
    String detail;
    GuestSockets.Located located = sockets.locate(vmi, QuiesceChannel.AUTO);
    if (!located.found() && !engine.guestsFrozen().contains(guest)) {
      outcome = ThawRequest.Outcome.Failed;
      detail = "no way to the guest agent on node " + node + ": " + located.problem();
    } else {
      GuestRecovery result = engine.thawNow(guest, ownThawWait);
      outcome =
          result.action() == RecoveryAction.THAWED
              ? ThawRequest.Outcome.Thawed
              : result.action() == RecoveryAction.NOT_FROZEN
                  ? ThawRequest.Outcome.NotFrozen
                  : ThawRequest.Outcome.Failed;
      detail =
          switch (outcome) {
            case Thawed -> "guest filesystems thawed (" + result.detail() + ")";
            case NotFrozen -> "the guest agent says no filesystem is frozen";
            case Failed -> result.action() + ": " + result.detail();
          };
    }
    String by =
        "node helper on node "
            + node
            + (windowsEnded > 0 ? "; " + windowsEnded + " freeze window(s) of ours ended" : "");
    String message =
        "emergency thaw (token " + token + ") by the " + by + ": " + outcome + ", " + detail;
    // one Event per request: a later request must not overwrite the audit of this one
    events.recordOccurrence(vmi, !outcome.thawed(), Reason.EMERGENCY_THAW.wire(), token, message);
    if (outcome.thawed()) {
      LOG.warn("{}: {}", guest, message);
    } else {
      LOG.error("{}: {}", guest, message);
    }
    answer(vmi, token, ThawRequest.result(outcome, detail + " (" + by + ")"));
  }

  /** {@code thaw-done} and {@code thaw-result} in one merge patch of the annotations only. */
  private void answer(VirtualMachineInstance vmi, String token, String result) {
    String patch =
        Serialization.asJson(
            Map.of(
                "metadata",
                Map.of(
                    "annotations", Map.of(ThawRequest.DONE, token, ThawRequest.RESULT, result))));
    try {
      client
          .resources(VirtualMachineInstance.class)
          .inNamespace(vmi.getMetadata().getNamespace())
          .withName(vmi.getMetadata().getName())
          .patch(MERGE, patch);
    } catch (RuntimeException e) {
      LOG.error("{}: could not answer thaw request {}: {}", key(vmi), token, e.getMessage());
    }
  }

  private static String key(VirtualMachineInstance vmi) {
    return vmi.getMetadata().getNamespace() + "/" + vmi.getMetadata().getName();
  }

  @Override
  public void close() {
    informer.close();
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
