package io.quiesce.schedule;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.FireCounts;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
      List<QuiescedSnapshot> newSnapshots) {

    FireCounts counts() {
      FireCounts counts = new FireCounts();
      counts.setSelected(selected);
      counts.setCreated(created + alreadyExisted);
      counts.setSkipped(skipped.size());
      counts.setFailed(failures.size() + foreign.size());
      return counts;
    }
  }

  private ScheduleFire() {}

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
        pending.add(pool.submit(() -> createOne(template, fireTime, step, create, read)));
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
    for (Outcome o : outcomes) {
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
        steps.size(),
        created,
        existed,
        List.copyOf(skipped),
        List.copyOf(failures),
        List.copyOf(foreign),
        List.copyOf(fresh));
  }

  /** Creates per fire in flight at once. */
  static final int CREATES_IN_FLIGHT = 8;

  /** What creating one snapshot came to: exactly one of the four is set. */
  private record Outcome(
      QuiescedSnapshot created, boolean existed, String foreign, String failure) {}

  private static Outcome createOne(
      ScheduledSnapshotTemplate template,
      Instant fireTime,
      FirePlan.Step step,
      UnaryOperator<QuiescedSnapshot> create,
      Function<String, QuiescedSnapshot> read) {
    try {
      return new Outcome(create.apply(template.snapshotOf(step.vm(), fireTime)), false, null, null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        QuiescedSnapshot existing = readQuietly(read, step.snapshotName());
        if (existing != null && template.created(existing)) {
          return new Outcome(null, true, null, null);
        }
        LOG.warn(
            "snapshot name {} for VM {} is taken by an object this schedule did not create",
            step.snapshotName(),
            step.vm());
        return new Outcome(null, false, step.snapshotName() + " (VM " + step.vm() + ")", null);
      }
      LOG.warn(
          "could not create snapshot {} of VM {}: {}",
          step.snapshotName(),
          step.vm(),
          e.getMessage());
      return new Outcome(null, false, null, step.vm() + ": " + e.getMessage());
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
