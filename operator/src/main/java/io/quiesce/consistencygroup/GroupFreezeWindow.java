package io.quiesce.consistencygroup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.CommonWindow;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.ThawTrigger;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.kube.kubevirt.VirtualMachineInstanceStatus;
import io.quiesce.snapshot.KubeVirtFreezeApi;
import io.quiesce.snapshot.KubeVirtFreezeApi.KubeVirtFreezeException;
import io.quiesce.status.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freeze window of a consistency group, run by the operator through KubeVirt's {@code
 * freeze}/{@code unfreeze} subresources (any node: no node helper takes part):
 *
 * <ol>
 *   <li>one deadline for the group, counted from before the first freeze request: {@code start +
 *       window};
 *   <li>every VM is frozen in parallel, each with KubeVirt's {@code unfreezeTimeout} = the window,
 *       so virt-launcher thaws each one by itself if the operator dies (every freeze request is
 *       sent after {@code start}, so no watchdog fires before the deadline);
 *   <li>{@code Required}: the first VM that cannot be frozen thaws the others at once, nothing is
 *       cut, and the reason names that VM. {@code BestEffort}: the VMs not frozen are recorded and
 *       named, the others stay frozen for the cut;
 *   <li>one {@link Cut} of every volume of every VM, called after the last freeze reply and
 *       returning before the first unfreeze request: the cut lies inside the common window;
 *   <li>every VM is thawed at once, in parallel, whatever happened (cut, error, deadline,
 *       interrupt).
 * </ol>
 *
 * Each VM has its own thread for the whole window (freeze, wait, unfreeze), so a VM whose freeze
 * request hangs delays only its own unfreeze, which follows its freeze reply whenever that comes. A
 * VM KubeVirt already reports frozen is someone else's freeze: neither frozen nor thawed here.
 */
public final class GroupFreezeWindow {
  private static final Logger LOG = LoggerFactory.getLogger(GroupFreezeWindow.class);

  /** How long, past the deadline, the window waits for the last unfreeze replies. */
  private static final Duration THAW_GRACE = Duration.ofSeconds(30);

  /** The one cut of every volume of every VM, inside the common window. */
  @FunctionalInterface
  public interface Cut {
    /**
     * Cuts every volume and returns once each is cut (e.g. every VolumeSnapshot has {@code
     * status.creationTime}), or at the deadline.
     *
     * @param frozen the VMs frozen for the group now, in the order given (all of them unless {@code
     *     BestEffort} left some out; none under {@code Skip}): a cut that is one storage group
     *     takes only their volumes
     * @return {@code Frozen} when every volume was cut, else {@code QuiesceTimeout} or {@code
     *     VolumeSnapshotFailed} ({@link Reason} wire values)
     */
    String cut(Instant deadline, List<String> frozen) throws InterruptedException;
  }

  /**
   * What the window did.
   *
   * @param members every VM, in the order given, with its own freeze window
   * @param commonWindow when every frozen VM was frozen at once; null when fewer than one was
   *     frozen or nothing was cut
   * @param reason {@code Frozen} when every VM was frozen and every volume cut inside the common
   *     window; else why not ({@link Reason} wire value)
   * @param message names the VMs not frozen, when some were not
   * @param cut whether the cut ran (under {@code Required} it does not when a VM was not frozen)
   */
  public record Outcome(
      List<GroupMember> members,
      CommonWindow commonWindow,
      String reason,
      String message,
      boolean cut) {
    /** The VMs that were not frozen. */
    public List<String> notFrozen() {
      return members.stream()
          .filter(m -> !Boolean.TRUE.equals(m.getFrozen()))
          .map(GroupMember::getVm)
          .toList();
    }
  }

  private final KubeVirtFreezeApi api;
  private final Predicate<String> frozenByOthers;
  private final Clock clock;

  /**
   * @param frozenByOthers whether KubeVirt reports the VMI of this name frozen already (its {@code
   *     status.fsFreezeStatus}) before the group freezes it
   */
  public GroupFreezeWindow(KubeVirtFreezeApi api, Predicate<String> frozenByOthers, Clock clock) {
    this.api = api;
    this.frozenByOthers = frozenByOthers;
    this.clock = clock;
  }

  /**
   * Whether KubeVirt reports a VMI of {@code namespace} frozen ({@code status.fsFreezeStatus}); a
   * VMI that cannot be read is not, and its freeze answers for itself.
   */
  public static Predicate<String> reportedFrozen(KubernetesClient client, String namespace) {
    return vmi -> {
      try {
        VirtualMachineInstance i =
            client
                .resources(VirtualMachineInstance.class)
                .inNamespace(namespace)
                .withName(vmi)
                .get();
        return i != null
            && i.getStatus() != null
            && VirtualMachineInstanceStatus.FS_FROZEN.equals(i.getStatus().getFsFreezeStatus());
      } catch (KubernetesClientException e) {
        return false;
      }
    };
  }

  /**
   * Runs the window of the VMs {@code vms} of {@code namespace}.
   *
   * @param window the group's one deadline, counted from now, and each VM's {@code unfreezeTimeout}
   */
  public Outcome run(String namespace, List<String> vms, QuiesceMode mode, Duration window, Cut cut)
      throws InterruptedException {
    Map<String, Member> members = new LinkedHashMap<>();
    vms.forEach(vm -> members.put(vm, new Member(vm)));
    if (mode == QuiesceMode.Skip) {
      String reason = cut.cut(clock.instant().plus(window), List.of());
      members.values().forEach(m -> m.notFrozen(Reason.QUIESCE_SKIPPED.wire(), null));
      return outcome(members, null, reason, null, true);
    }
    Instant start = clock.instant();
    Instant deadline = start.plus(window);
    CountDownLatch thawNow = new CountDownLatch(1);
    BlockingQueue<Member> replies = new LinkedBlockingQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(vms.size(), GroupFreezeWindow::thread);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    Instant thawAt = null;
    boolean cutRan = false;
    String reason;
    try {
      for (Member m : members.values()) {
        if (frozenByOthers.test(m.vm)) {
          m.notFrozen(
              Reason.GUEST_ALREADY_FROZEN.wire(),
              "KubeVirt already reports VirtualMachineInstance "
                  + namespace
                  + "/"
                  + m.vm
                  + " frozen by someone else; it is neither frozen nor thawed by this group");
          continue;
        }
        done.add(
            CompletableFuture.runAsync(() -> m.window(namespace, window, replies, thawNow), pool));
      }
      int expected = done.size();
      int answered = 0;
      boolean failed = members.values().stream().anyMatch(m -> m.reason != null);
      while (answered < expected && !(failed && mode == QuiesceMode.Required)) {
        long left = Duration.between(clock.instant(), deadline).toMillis();
        Member m = left > 0 ? replies.poll(left, TimeUnit.MILLISECONDS) : null;
        if (m == null) {
          break; // the deadline passed before every freeze reply
        }
        answered++;
        m.counted = true; // answered before the decision: frozen (or not) for the group
        failed |= m.frozenAt == null;
      }
      for (Member m : members.values()) {
        if (!m.frozen() && m.reason == null) {
          m.notFrozen(
              failed ? Reason.GROUP_MEMBER_NOT_FROZEN.wire() : Reason.QUIESCE_TIMEOUT.wire(),
              failed ? null : "no freeze reply from KubeVirt before the group's deadline");
        }
      }
      List<String> notFrozen =
          members.values().stream().filter(m -> !m.frozen()).map(m -> m.vm).toList();
      if (!notFrozen.isEmpty() && mode == QuiesceMode.Required) {
        thawAt = clock.instant();
        thawNow.countDown(); // the others at once, before anything else
        reason = firstFailureReason(members);
      } else {
        reason =
            cut.cut(
                deadline, members.values().stream().filter(Member::frozen).map(m -> m.vm).toList());
        cutRan = true;
        thawAt = clock.instant();
        thawNow.countDown();
      }
    } finally {
      if (thawAt == null) {
        thawAt = clock.instant(); // interrupted: thaw all the same
      }
      thawNow.countDown();
      awaitThaws(done, deadline.plus(THAW_GRACE));
      pool.shutdownNow();
    }
    ThawTrigger trigger = trigger(reason, cutRan);
    String frozenOutcome = cutRan ? reason : Reason.GROUP_MEMBER_NOT_FROZEN.wire();
    for (Member m : members.values()) {
      if (m.frozen()) {
        m.thawedBy(trigger);
        m.reason = m.reason == null ? frozenOutcome : m.reason;
      } else if (m.frozenAt != null) { // froze after the group decided: thawed at once
        m.thawedBy(
            Reason.QUIESCE_TIMEOUT.wire().equals(m.reason)
                ? ThawTrigger.Watchdog
                : ThawTrigger.Error);
      }
    }
    CommonWindow common = cutRan ? commonWindow(members, thawAt) : null;
    List<String> notFrozen =
        members.values().stream().filter(m -> !m.frozen()).map(m -> m.vm).toList();
    String message = notFrozen.isEmpty() ? null : describe(namespace, members, mode, cutRan);
    if (cutRan && !notFrozen.isEmpty() && Reason.FROZEN.wire().equals(reason)) {
      reason = Reason.GROUP_MEMBER_NOT_FROZEN.wire(); // BestEffort: cut, but not every VM frozen
    }
    return outcome(members, common, reason, message, cutRan);
  }

  private static String firstFailureReason(Map<String, Member> members) {
    return members.values().stream()
        .filter(m -> !m.frozen() && !Reason.GROUP_MEMBER_NOT_FROZEN.wire().equals(m.reason))
        .map(m -> m.reason)
        .findFirst()
        .orElse(Reason.FREEZE_FAILED.wire());
  }

  private static ThawTrigger trigger(String reason, boolean cutRan) {
    if (!cutRan) {
      return ThawTrigger.Error;
    }
    if (Reason.FROZEN.wire().equals(reason)) {
      return ThawTrigger.Cut;
    }
    return Reason.QUIESCE_TIMEOUT.wire().equals(reason) ? ThawTrigger.Watchdog : ThawTrigger.Error;
  }

  /** From the last freeze reply to the first unfreeze request; null when no VM was frozen. */
  private static CommonWindow commonWindow(Map<String, Member> members, Instant thawAt) {
    Instant lastFreeze =
        members.values().stream()
            .filter(Member::frozen)
            .map(m -> m.frozenAt)
            .max(Instant::compareTo)
            .orElse(null);
    if (lastFreeze == null) {
      return null;
    }
    CommonWindow w = new CommonWindow();
    w.setStartTime(lastFreeze.toString());
    w.setEndTime(thawAt.toString());
    w.setDurationMs(Duration.between(lastFreeze, thawAt).toMillis());
    return w;
  }

  private static String describe(
      String namespace, Map<String, Member> members, QuiesceMode mode, boolean cutRan) {
    String who =
        members.values().stream()
            .filter(m -> !m.frozen() && !Reason.GROUP_MEMBER_NOT_FROZEN.wire().equals(m.reason))
            .map(
                m ->
                    "VirtualMachineInstance "
                        + namespace
                        + "/"
                        + m.vm
                        + " ("
                        + m.reason
                        + (m.error == null ? "" : ": " + m.error)
                        + ")")
            .collect(Collectors.joining("; "));
    String frozen =
        members.values().stream().filter(Member::frozen).map(m -> m.vm).collect(joinedOrNone());
    return mode == QuiesceMode.Required
        ? "not frozen: "
            + who
            + "; mode Required: the other VMs were thawed at once and nothing was cut"
        : "not frozen: "
            + who
            + "; mode BestEffort: "
            + (cutRan ? "cut with " + frozen + " frozen" : "nothing was cut");
  }

  private static java.util.stream.Collector<CharSequence, ?, String> joinedOrNone() {
    return Collectors.collectingAndThen(Collectors.joining(", "), s -> s.isEmpty() ? "none" : s);
  }

  private static void awaitThaws(List<CompletableFuture<Void>> done, Instant until) {
    boolean interrupted = Thread.interrupted(); // the thaws must not see an interrupt
    try {
      long left = Math.max(0, Duration.between(Instant.now(), until).toMillis());
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
          .get(left, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn("not every unfreeze of the group answered; KubeVirt thaws at its unfreezeTimeout");
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Outcome outcome(
      Map<String, Member> members,
      CommonWindow common,
      String reason,
      String message,
      boolean cut) {
    List<GroupMember> list = members.values().stream().map(Member::record).toList();
    return new Outcome(list, common, reason, message, cut);
  }

  private static Thread thread(Runnable r) {
    Thread t = new Thread(r, "quiesce-group-window");
    t.setDaemon(true);
    return t;
  }

  /** One VM's part of the window; its fields are written by its own thread, then read after. */
  private final class Member {
    final String vm;
    volatile Instant frozenAt;

    /** Whether the coordinator took this VM's freeze reply before it decided; a late one is not. */
    volatile boolean counted;

    volatile Instant thawedAt;
    volatile String reason;
    volatile String error;
    volatile ThawTrigger thawedBy;

    Member(String vm) {
      this.vm = vm;
    }

    /** Frozen for the group: its freeze reply came before the group decided. */
    boolean frozen() {
      return counted && frozenAt != null;
    }

    void notFrozen(String reason, String error) {
      this.reason = reason;
      this.error = error;
    }

    void thawedBy(ThawTrigger trigger) {
      if (thawedBy == null) {
        thawedBy = trigger;
      }
    }

    /** Freeze, report, wait for the group's thaw, unfreeze (also when the freeze failed). */
    void window(
        String namespace, Duration window, BlockingQueue<Member> replies, CountDownLatch thawNow) {
      try {
        api.freeze(namespace, vm, window);
        frozenAt = clock.instant();
      } catch (KubeVirtFreezeException | RuntimeException e) {
        notFrozen(Reason.FREEZE_FAILED.wire(), e.getMessage());
      }
      replies.add(this);
      try {
        thawNow.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the pool is shut down: thaw now
      }
      boolean interrupted = Thread.interrupted();
      try {
        // also after a failed freeze: a freeze that failed on our side may have frozen the guest
        api.unfreeze(namespace, vm);
        thawedAt = clock.instant();
      } catch (KubeVirtFreezeException | RuntimeException e) {
        if (frozenAt != null) {
          LOG.warn(
              "unfreeze of {}/{} failed; KubeVirt thaws at its unfreezeTimeout: {}",
              namespace,
              vm,
              e.getMessage());
          thawedBy = ThawTrigger.Deadline;
          error = e.getMessage();
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    GroupMember record() {
      GroupMember m = new GroupMember();
      m.setVm(vm);
      m.setFrozen(frozen());
      FreezeRecord f = new FreezeRecord();
      f.setMethod(FreezeMethod.KUBEVIRT_API);
      if (frozenAt != null) { // also a freeze that came too late for the group: it was thawed
        f.setStartTime(frozenAt.toString());
        if (thawedAt != null) {
          f.setEndTime(thawedAt.toString());
          f.setDurationMs(Duration.between(frozenAt, thawedAt).toMillis());
        }
        f.setThawedBy(thawedBy);
      }
      f.setReason(reason);
      f.setError(error);
      m.setFreeze(f);
      return m;
    }
  }
}
