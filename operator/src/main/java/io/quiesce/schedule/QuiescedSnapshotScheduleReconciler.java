package io.quiesce.schedule;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quiesce.api.ApiValues;
import io.quiesce.api.v1alpha1.ActiveSnapshot;
import io.quiesce.api.v1alpha1.ConcurrencyPolicy;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleStatus;
import io.quiesce.events.EventRecorder;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.CachedCopies;
import io.quiesce.status.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles {@link QuiescedSnapshotSchedule}: observe (spec, the schedule's snapshots from an
 * informer, the clock in status), decide ({@link ScheduleSpecCheck}, {@link ScheduleClock}, {@link
 * FirePlan}, {@link RetentionPolicy}; all pure), act (create snapshots, apply retention), then
 * write status once and requeue at the next fire.
 *
 * <p>Snapshots carry no ownerReference to their schedule: deleting a schedule keeps its backups.
 *
 * <p>Wiring: {@code operator.register(new QuiescedSnapshotScheduleReconciler(client,
 * Clock.systemUTC(), meterRegistry, ScheduleSettings.defaults()))}; with leader election on the
 * operator ({@code ConfigurationServiceOverrider#withLeaderElectionConfiguration}) only the leader
 * reconciles.
 */
@ControllerConfiguration(name = QuiescedSnapshotScheduleReconciler.NAME)
public class QuiescedSnapshotScheduleReconciler implements Reconciler<QuiescedSnapshotSchedule> {
  /** The controller's name (also its field manager). */
  public static final String NAME = "quiescedsnapshotschedule";

  static final String READY = Conditions.READY;

  /**
   * Condition: the latest fire found snapshot names taken by objects this schedule did not create.
   */
  static final String NAME_CONFLICT = "NameConflict";

  static final String SNAPSHOT_NAME_TAKEN = "SnapshotNameTaken";

  /**
   * Condition of a {@code grouping: ConsistencyGroup} schedule: True when the latest fire selected
   * fewer than 2 or more than 16 VMs and so created nothing.
   */
  static final String GROUP_SIZE_INVALID = "GroupSizeInvalid";

  private static final String SNAPSHOTS_SOURCE = "schedule-snapshots";

  private final KubernetesClient client;
  private final Clock clock;
  private final ScheduleSettings settings;
  private final ScheduleMetrics metrics;
  private final EventRecorder events;
  private final ScheduleRetention retention;

  /** The schedules' snapshots; null when the reconciler runs its own informer for them. */
  private final ScheduledSnapshots shared;

  private final ScheduledSnapshots snapshots;

  /**
   * A reconciler that reads its snapshots through an informer of its own (a schedule controller
   * without the snapshot controller in the same process).
   *
   * @param client the operator's client (VM lists, Events, retention deletes)
   * @param clock the time fires are computed against
   * @param registry where the {@code quiesce_schedule_*} counters go
   * @param settings see {@link ScheduleSettings#defaults()}
   */
  public QuiescedSnapshotScheduleReconciler(
      KubernetesClient client, Clock clock, MeterRegistry registry, ScheduleSettings settings) {
    this(client, clock, registry, settings, null);
  }

  /**
   * A reconciler that reads its snapshots from {@code shared}, kept off the snapshot controller's
   * informer ({@link ScheduledSnapshots#over}), so each snapshot's watch event is decoded once.
   */
  public QuiescedSnapshotScheduleReconciler(
      KubernetesClient client,
      Clock clock,
      MeterRegistry registry,
      ScheduleSettings settings,
      ScheduledSnapshots shared) {
    this.client = Objects.requireNonNull(client);
    this.clock = Objects.requireNonNull(clock);
    this.settings = Objects.requireNonNull(settings);
    this.metrics = new ScheduleMetrics(registry);
    this.events =
        new EventRecorder(client, EventRecorder.Reporter.operator(null), clock, Runnable::run);
    this.retention = new ScheduleRetention(client, settings.apiTimeout());
    this.shared = shared;
    this.snapshots = shared == null ? new ScheduledSnapshots() : shared;
  }

  @Override
  public List<EventSource<?, QuiescedSnapshotSchedule>> prepareEventSources(
      EventSourceContext<QuiescedSnapshotSchedule> context) {
    var changes = snapshots.events(settings.snapshotChangeSpacing());
    if (shared != null) {
      return List.of(changes);
    }
    // an informer of our own, of the snapshots with a schedule label, only to fill the index:
    // its events reach the schedules through `changes` (filtered and spaced)
    var config =
        InformerEventSourceConfiguration.from(
                QuiescedSnapshot.class, QuiescedSnapshotSchedule.class)
            .withName(SNAPSHOTS_SOURCE)
            .withItemStore(snapshots.over(CachedCopies.scheduledSnapshotStore()))
            .withLabelSelector(Provenance.SCHEDULE)
            .withSecondaryToPrimaryMapper(snapshot -> Set.of())
            .withGenericFilter(snapshot -> false)
            .build();
    return List.of(changes, new InformerEventSource<>(config, context));
  }

  @Override
  public UpdateControl<QuiescedSnapshotSchedule> reconcile(
      QuiescedSnapshotSchedule schedule, Context<QuiescedSnapshotSchedule> context) {
    Instant now = clock.instant();
    String name = schedule.getMetadata().getName();
    QuiescedSnapshotScheduleStatus old = schedule.getStatus();
    QuiescedSnapshotScheduleStatus status = copy(old);
    status.setObservedGeneration(schedule.getMetadata().getGeneration());

    ScheduleSpecCheck.Result check = ScheduleSpecCheck.check(schedule);
    if (check.problem().isPresent()) {
      ScheduleSpecCheck.Invalid invalid = check.problem().get();
      status.setNextScheduleTime(null);
      // only an edit of the spec fixes it: Stalled, which kstatus (Flux) reports as Failed at once
      boolean changed =
          Conditions.summarize(
              status.getConditions(),
              Conditions.Summary.STALLED,
              invalid.reason(),
              invalid.message(),
              schedule.getMetadata().getGeneration(),
              now);
      if (changed) {
        events.warning(schedule, invalid.reason(), invalid.message());
      }
      writeIfChanged(context, schedule, old, status);
      return UpdateControl
          .noUpdate(); // nothing to wait for: an edit of the spec triggers the next reconcile
    }
    ScheduleSpecCheck.Valid spec = check.valid();
    QuiescedSnapshotScheduleSpec s = schedule.getSpec();
    if (!snapshots.synced()) {
      // the snapshot controller's informer has not listed yet: no fire, no status, from nothing
      return UpdateControl.<QuiescedSnapshotSchedule>noUpdate()
          .rescheduleAfter(settings.snapshotChangeSpacing());
    }
    // the index of this schedule's snapshots: getSecondaryResources collected into hash sets,
    // hashing every snapshot deeply, and a list of the namespace's cache walked them all
    List<QuiescedSnapshot> ours =
        snapshots
            .of(schedule.getMetadata().getNamespace(), name)
            .filter(spec.template()::created)
            .collect(Collectors.toCollection(ArrayList::new));

    ScheduleClock.Decision decision =
        ScheduleClock.decide(
            spec.cron(),
            clockOf(schedule, now),
            now,
            s.getStartingDeadlineSeconds(),
            Boolean.TRUE.equals(s.getSuspend()),
            settings.missedCountLimit());
    if (decision.missed() > 0) {
      reportMissed(schedule, decision, s.getStartingDeadlineSeconds());
    }
    if (!spec.group()) {
      status.getConditions().removeIf(c -> GROUP_SIZE_INVALID.equals(c.getType()));
    }
    if (decision.fire().isPresent()) {
      ScheduleFire.Result fired = fire(schedule, spec, decision.fire().get(), ours, context);
      if (spec.group()) {
        setGroupSize(schedule, status, fired, now);
      }
      ours.addAll(fired.newSnapshots());
      status.setLastFire(fired.counts());
      if (fired.foreign().isEmpty()) {
        Conditions.set(
            status.getConditions(),
            NAME_CONFLICT,
            Conditions.FALSE,
            "NoConflict",
            "the latest fire found no snapshot name taken",
            schedule.getMetadata().getGeneration(),
            now);
      } else {
        Conditions.set(
            status.getConditions(),
            NAME_CONFLICT,
            Conditions.TRUE,
            SNAPSHOT_NAME_TAKEN,
            "names taken by objects this schedule did not create (those VMs got no backup): "
                + String.join(", ", fired.foreign()),
            schedule.getMetadata().getGeneration(),
            now);
      }
    }
    decision.clock().map(ScheduleStatusTimes::format).ifPresent(status::setLastScheduleTime);
    status.setNextScheduleTime(decision.next().map(ScheduleStatusTimes::format).orElse(null));

    List<String> deleted = retention.apply(spec.template(), name, spec.retention(), ours, now);
    if (!deleted.isEmpty()) {
      ours.removeIf(snapshot -> deleted.contains(snapshot.getMetadata().getName()));
      events.normal(
          schedule,
          "RetentionDeleted",
          "retention deleted " + deleted.size() + " snapshot(s): " + String.join(", ", deleted));
    }
    List<ActiveSnapshot> active = ScheduleHistory.active(ours);
    status.setActive(active.isEmpty() ? null : active);
    status.setLastSuccessfulTime(
        ScheduleHistory.lastSuccess(ours).map(ScheduleStatusTimes::format).orElse(null));
    setReady(schedule, status, decision, now);
    writeIfChanged(context, schedule, old, status);
    return UpdateControl.<QuiescedSnapshotSchedule>noUpdate()
        .rescheduleAfter(requeueDelay(decision, now));
  }

  private static void setGroupSize(
      QuiescedSnapshotSchedule schedule,
      QuiescedSnapshotScheduleStatus status,
      ScheduleFire.Result fired,
      Instant now) {
    if (fired.refused() != null) {
      Conditions.set(
          status.getConditions(),
          GROUP_SIZE_INVALID,
          Conditions.TRUE,
          fired.refused().reason(),
          fired.refused().message(),
          schedule.getMetadata().getGeneration(),
          now);
    } else {
      Conditions.set(
          status.getConditions(),
          GROUP_SIZE_INVALID,
          Conditions.FALSE,
          "GroupSizeValid",
          "the latest fire selected "
              + fired.selected()
              + " VMs, snapshotted together as one group",
          schedule.getMetadata().getGeneration(),
          now);
    }
  }

  private ScheduleFire.Result fire(
      QuiescedSnapshotSchedule schedule,
      ScheduleSpecCheck.Valid spec,
      Instant fireTime,
      List<QuiescedSnapshot> ours,
      Context<QuiescedSnapshotSchedule> context) {
    String namespace = schedule.getMetadata().getNamespace();
    String name = schedule.getMetadata().getName();
    List<String> selected =
        client.resources(VirtualMachine.class).inNamespace(namespace).list().getItems().stream()
            .filter(vm -> vm.getMetadata().getDeletionTimestamp() == null)
            .filter(vm -> spec.selector().matches(vm.getMetadata().getLabels()))
            .map(vm -> vm.getMetadata().getName())
            .toList();
    ConcurrencyPolicy policy =
        Optional.ofNullable(schedule.getSpec().getConcurrencyPolicy())
            .orElse(ConcurrencyPolicy.Forbid);
    String when = ScheduleStatusTimes.format(fireTime);
    List<FirePlan.ExistingSnapshot> existing =
        ours.stream().map(ScheduleHistory::existing).toList();
    List<FirePlan.Step> steps;
    if (spec.group()) {
      Optional<ScheduleFire.GroupSize> refused = ScheduleFire.GroupSize.check(selected);
      if (refused.isPresent()) {
        // no snapshot for this fire; the caller sets GroupSizeInvalid (the schedule is still valid)
        metrics.fired(namespace, name);
        events.warning(
            schedule, refused.get().reason(), "fire of " + when + ": " + refused.get().message());
        return ScheduleFire.Result.refused(fireTime, selected.size(), refused.get());
      }
      steps = List.of(FirePlan.planGroup(name, fireTime, selected, existing, policy));
    } else {
      steps = FirePlan.plan(name, fireTime, selected, existing, policy);
    }
    ScheduleFire.Result result =
        ScheduleFire.run(
            spec.template(),
            fireTime,
            steps,
            snapshot -> client.resource(snapshots.withFinalizer(snapshot)).create(),
            taken ->
                client
                    .resources(QuiescedSnapshot.class)
                    .inNamespace(namespace)
                    .withName(taken)
                    .get());
    metrics.fired(namespace, name);
    metrics.created(namespace, name, result.created());
    events.normal(
        schedule,
        "Fired",
        "fire of "
            + when
            + ": "
            + selected.size()
            + " VM(s) selected, "
            + result.created()
            + " snapshot(s) created, "
            + result.alreadyExisted()
            + " already existed, "
            + result.skipped().size()
            + " skipped, "
            + result.failures().size()
            + " failed");
    if (!result.skipped().isEmpty()) {
      events.normal(
          schedule,
          "SkippedInProgress",
          "fire of "
              + when
              + " skipped "
              + result.counts().getSkipped()
              + " VM(s) whose previous snapshot is still in progress "
              + "(concurrencyPolicy Forbid): "
              + result.skipped().stream()
                  .map(step -> step.subject() + " (" + step.blockedBy() + ")")
                  .collect(Collectors.joining(", ")));
    }
    if (!result.foreign().isEmpty()) {
      events.warning(
          schedule,
          SNAPSHOT_NAME_TAKEN,
          "fire of "
              + when
              + ": "
              + result.foreign().size()
              + " snapshot name(s) are taken by objects this schedule did not create, "
              + "so those VMs got no backup: "
              + String.join(", ", result.foreign()));
    }
    if (!result.failures().isEmpty()) {
      events.warning(
          schedule,
          "CreateFailed",
          "fire of "
              + when
              + " could not create "
              + result.failures().size()
              + " snapshot(s): "
              + String.join("; ", result.failures()));
    }
    return result;
  }

  private void reportMissed(
      QuiescedSnapshotSchedule schedule, ScheduleClock.Decision decision, Long deadline) {
    metrics.missed(
        schedule.getMetadata().getNamespace(), schedule.getMetadata().getName(), decision.missed());
    String count = (decision.missedAtLeast() ? "at least " : "") + decision.missed();
    String why =
        decision.fire().isPresent()
            ? "only the latest slot ("
                + ScheduleStatusTimes.format(decision.fire().get())
                + ") is caught up"
            : "the latest slot ("
                + decision.clock().map(ScheduleStatusTimes::format).orElse("?")
                + ") is older than startingDeadlineSeconds="
                + deadline;
    events.warning(
        schedule,
        "MissedSchedule",
        count
            + " scheduled time(s) passed without a fire (the operator was not running or not leading); "
            + why);
  }

  private static void setReady(
      QuiescedSnapshotSchedule schedule,
      QuiescedSnapshotScheduleStatus status,
      ScheduleClock.Decision decision,
      Instant now) {
    Long generation = schedule.getMetadata().getGeneration();
    if (Boolean.TRUE.equals(schedule.getSpec().getSuspend())) {
      Conditions.summarize(
          status.getConditions(),
          Conditions.Summary.READY,
          "Suspended",
          "suspended: no fires until spec.suspend is false",
          generation,
          now);
    } else if (decision.next().isEmpty()) {
      Conditions.summarize(
          status.getConditions(),
          Conditions.Summary.READY,
          "NoFutureFires",
          "the schedule fires no more",
          generation,
          now);
    } else {
      Conditions.summarize(
          status.getConditions(),
          Conditions.Summary.READY,
          "Scheduled",
          "the schedule is valid and firing",
          generation,
          now);
    }
  }

  /** The schedule's clock: {@code status.lastScheduleTime}, or its creation for a new schedule. */
  private static Instant clockOf(QuiescedSnapshotSchedule schedule, Instant now) {
    Optional<Instant> last =
        Optional.ofNullable(schedule.getStatus())
            .flatMap(st -> ScheduleHistory.time(st.getLastScheduleTime()));
    return last.or(() -> ScheduleHistory.time(schedule.getMetadata().getCreationTimestamp()))
        .orElse(now);
  }

  private Duration requeueDelay(ScheduleClock.Decision decision, Instant now) {
    Duration max = settings.maxRequeueDelay();
    return decision
        .next()
        .map(next -> Duration.between(now, next))
        .map(untilNext -> untilNext.compareTo(max) < 0 ? untilNext : max)
        .map(delay -> delay.isNegative() || delay.isZero() ? Duration.ofMillis(1) : delay)
        .orElse(max);
  }

  private void writeIfChanged(
      Context<QuiescedSnapshotSchedule> context,
      QuiescedSnapshotSchedule schedule,
      QuiescedSnapshotScheduleStatus old,
      QuiescedSnapshotScheduleStatus status) {
    if (status.equals(old)) {
      return;
    }
    // through JOSDK so the primary cache holds our write: the next reconcile must see the moved
    // clock
    context
        .resourceOperations()
        .resourcePatch(
            schedule,
            r -> ScheduleStatusPatch.apply(client, r, status),
            context.eventSourceRetriever().getControllerEventSource());
  }

  private static QuiescedSnapshotScheduleStatus copy(QuiescedSnapshotScheduleStatus status) {
    if (status == null) {
      return new QuiescedSnapshotScheduleStatus();
    }
    QuiescedSnapshotScheduleStatus copy = ApiValues.copy(status);
    if (copy.getConditions() == null) {
      copy.setConditions(new ArrayList<>());
    }
    return copy;
  }
}
