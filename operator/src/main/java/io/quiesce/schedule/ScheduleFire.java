package io.quiesce.schedule;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.FireCounts;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.SnapshotSources;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link FirePlan}: creates the planned snapshots. On AlreadyExists the object of
 * that name is read back: when this schedule created it (an earlier run of the same fire, before a
 * restart or failover) it counts as created, not created twice; when it is someone else's, the VM
 * got no backup, and the fire reports the name as taken.
 */
final class ScheduleFire {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleFire.class);

  /**
   * What a fire did; {@code newSnapshots} are the objects this run created (for status before the
   * cache has them).
   */
  record Result(
      Instant fireTime,
      int selected,
      int created,
      int alreadyExisted,
      List<FirePlan.Step> skipped,
      List<String> failures,
      List<String> foreign,
      List<QuiescedSnapshot> newSnapshots,
      int failedVms,
      GroupSize refused) {

    /** A group fire that created nothing: it selected too few or too many VMs. */
    static Result refused(Instant fireTime, int selected, GroupSize refused) {
      return new Result(
          fireTime, selected, 0, 0, List.of(), List.of(), List.of(), List.of(), 0, refused);
    }

    /**
     * Snapshots created; VMs selected, skipped and failed (a group's step counts each of its VMs).
     */
    FireCounts counts() {
      FireCounts counts = new FireCounts();
      counts.setSelected(selected);
      counts.setCreated(created + alreadyExisted);
      counts.setSkipped(
          refused != null ? selected : skipped.stream().mapToInt(step -> step.vms().size()).sum());
      counts.setFailed(failedVms);
      return counts;
    }
  }

  private ScheduleFire() {}

  /**
   * Why a {@code grouping: ConsistencyGroup} fire created nothing: a condition and Event reason and
   * a message for the user.
   */
  record GroupSize(String reason, String message) {
    static final String TOO_SMALL = "GroupTooSmall";
    static final String TOO_LARGE = "GroupTooLarge";

    /** The problem with a group of {@code selected} VMs, if any (2 to 16 make a group). */
    static Optional<GroupSize> check(List<String> selected) {
      int n = selected.size();
      if (n >= 2 && n <= SnapshotSources.MAX_VMS) {
        return Optional.empty();
      }
      return Optional.of(
          new GroupSize(
              n < 2 ? TOO_SMALL : TOO_LARGE,
              "grouping ConsistencyGroup freezes 2 to "
                  + SnapshotSources.MAX_VMS
                  + " VMs together, but vmSelector selected "
                  + n
                  + (n == 0 ? "" : n <= SnapshotSources.MAX_VMS ? " " + selected : "")
                  + ": no snapshot was created for this fire"));
    }
  }

  /**
   * @param create creates one snapshot through the API and returns it as stored
   * @param read reads the snapshot of a name from the API (null when there is none)
   */
  static Result run(
      ScheduledSnapshotTemplate template,
      Instant fireTime,
      List<FirePlan.Step> steps,
      UnaryOperator<QuiescedSnapshot> create,
      Function<String, QuiescedSnapshot> read) {
    int existed = 0;
    List<FirePlan.Step> skipped = new ArrayList<>();
    List<FirePlan.Step> toCreate = new ArrayList<>();
    for (FirePlan.Step step : steps) {
      switch (step.action()) {
        case ALREADY_EXISTS -> existed++;
        case SKIP_ACTIVE -> skipped.add(step);
        case CREATE -> toCreate.add(step);
        default -> throw new IllegalStateException(step.action().name());
      }
    }
    // a few creates in flight at once: one after the other, a fire over thousands of VMs took
    // longer to create its snapshots than the operator took to snapshot them under the cap
    List<Outcome> outcomes = new ArrayList<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(CREATES_IN_FLIGHT, toCreate.size())),
            r -> {
              Thread t = new Thread(r, "quiesce-schedule-fire");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Outcome>> pending = new ArrayList<>();
      for (FirePlan.Step step : toCreate) {
        pending.add(pool.submit(() -> createOne(template, fireTime, step, create, read).of(step)));
      }
      for (Future<Outcome> f : pending) {
        outcomes.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the fire's snapshots", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    int created = 0;
    List<String> failures = new ArrayList<>();
    List<String> foreign = new ArrayList<>();
    List<QuiescedSnapshot> fresh = new ArrayList<>();
    int failedVms = 0;
    for (Outcome o : outcomes) {
      if (o.created() == null && !o.existed()) {
        failedVms += o.vms();
      }
      if (o.created() != null) {
        fresh.add(o.created());
        created++;
      } else if (o.existed()) {
        existed++;
      } else if (o.foreign() != null) {
        foreign.add(o.foreign());
      } else {
        failures.add(o.failure());
      }
    }
    return new Result(
        fireTime,
        steps.stream().mapToInt(step -> step.vms().size()).sum(),
        created,
        existed,
        List.copyOf(skipped),
        List.copyOf(failures),
        List.copyOf(foreign),
        List.copyOf(fresh),
        failedVms,
        null);
  }

  /** Creates per fire in flight at once. */
  static final int CREATES_IN_FLIGHT = 8;

  /** What creating one snapshot came to: exactly one of the four is set; {@code vms}: its VMs. */
  private record Outcome(
      QuiescedSnapshot created, boolean existed, String foreign, String failure, int vms) {
    Outcome(QuiescedSnapshot created, boolean existed, String foreign, String failure) {
      this(created, existed, foreign, failure, 1);
    }

    Outcome of(FirePlan.Step step) {
      return new Outcome(created, existed, foreign, failure, step.vms().size());
    }
  }

  private static Outcome createOne(
      ScheduledSnapshotTemplate template,
      Instant fireTime,
      FirePlan.Step step,
      UnaryOperator<QuiescedSnapshot> create,
      Function<String, QuiescedSnapshot> read) {
    try {
      return new Outcome(create.apply(template.snapshotOf(step, fireTime)), false, null, null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        QuiescedSnapshot existing = readQuietly(read, step.snapshotName());
        if (existing != null && template.created(existing)) {
          return new Outcome(null, true, null, null);
        }
        LOG.warn(
            "snapshot name {} for {} is taken by an object this schedule did not create",
            step.snapshotName(),
            step.subject());
        return new Outcome(
            null,
            false,
            step.snapshotName() + (step.group() ? " (" : " (VM ") + step.subject() + ")",
            null);
      }
      LOG.warn(
          "could not create snapshot {} of {}: {}",
          step.snapshotName(),
          step.subject(),
          e.getMessage());
      return new Outcome(null, false, null, step.subject() + ": " + e.getMessage());
    }
  }

  private static QuiescedSnapshot readQuietly(
      Function<String, QuiescedSnapshot> read, String name) {
    try {
      return read.apply(name);
    } catch (KubernetesClientException e) {
      return null; // unknown owner: not counted as ours
    }
  }
}
