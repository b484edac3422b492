package io.quiesce.schedule;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.kube.kubevirt.VirtualMachine;
import io.quiesce.naming.Provenance;
import io.quiesce.testkit.MovableClock;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.josdk.QuiesceTestOperator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shared steps of the schedule reconciler's API tests: VMs, schedules, operators, a movable clock.
 */
final class ScheduleTestBed {
  /** Short, so a moved clock is noticed within a fraction of a second. */
  static final ScheduleSettings FAST =
      ScheduleSettings.defaults().withMaxRequeueDelay(Duration.ofMillis(200));

  final KubeApiServer server;
  final KubernetesClient client;
  final String namespace;

  /**
   * Starts at the present: the API server stamps creation with the real time, the schedule's first
   * clock.
   */
  final MovableClock clock = new MovableClock(Instant.now());

  ScheduleTestBed(KubeApiServer server, KubernetesClient client, String namespacePrefix) {
    this.server = server;
    this.client = client;
    this.namespace = server.createNamespace(namespacePrefix);
  }

  /** The start of the next hour after the clock's present: the next slot of an hourly schedule. */
  Instant nextHour() {
    return clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
  }

  /** A VirtualMachine of the upstream example's shape with these labels. */
  VirtualMachine createVm(String name, Map<String, String> labels) {
    VirtualMachine vm = Serialization.clone(Fixtures.runningVm(namespace, name).build().vm());
    vm.getMetadata().setLabels(labels);
    return client.resource(vm).create();
  }

  void deleteVm(String name) {
    client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).delete();
  }

  QuiescedSnapshotSchedule createSchedule(
      String name,
      String cron,
      LabelSelector selector,
      Consumer<QuiescedSnapshotScheduleSpec> customize) {
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName(name);
    schedule.getMetadata().setNamespace(namespace);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule(cron);
    spec.setVmSelector(selector);
    customize.accept(spec);
    schedule.setSpec(spec);
    return client.resource(schedule).create();
  }

  QuiescedSnapshotSchedule schedule(String name) {
    return client
        .resources(QuiescedSnapshotSchedule.class)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  void editSpec(String name, Consumer<QuiescedSnapshotScheduleSpec> edit) {
    client
        .resources(QuiescedSnapshotSchedule.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            s -> {
              edit.accept(s.getSpec());
              return s;
            });
  }

  /** The snapshots in the namespace that carry this schedule's provenance label. */
  List<QuiescedSnapshot> snapshotsOf(String schedule) {
    return client
        .resources(QuiescedSnapshot.class)
        .inNamespace(namespace)
        .withLabel(Provenance.SCHEDULE, schedule)
        .list()
        .getItems();
  }

  List<QuiescedSnapshot> allSnapshots() {
    return client.resources(QuiescedSnapshot.class).inNamespace(namespace).list().getItems();
  }

  /** Plays the snapshot reconciler: sets the phase (and the completion time of a finished one). */
  void setPhase(String snapshot, SnapshotPhase phase) {
    client
        .resources(QuiescedSnapshot.class)
        .inNamespace(namespace)
        .withName(snapshot)
        .editStatus(
            s -> {
              QuiescedSnapshotStatus status =
                  s.getStatus() == null ? new QuiescedSnapshotStatus() : s.getStatus();
              status.setPhase(phase);
              if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
                status.setCompletionTime(ScheduleStatusTimes.format(clock.instant()));
              }
              s.setStatus(status);
              return s;
            });
  }

  List<Event> events(String schedule, String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(
            e -> schedule.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .toList();
  }

  QuiesceTestOperator startOperator(SimpleMeterRegistry registry) {
    return startOperator(registry, o -> {});
  }

  QuiesceTestOperator startOperator(
      SimpleMeterRegistry registry, Consumer<ConfigurationServiceOverrider> overrides) {
    KubernetesClient operatorClient = server.newClient();
    return QuiesceTestOperator.start(
        operatorClient,
        overrides,
        new QuiescedSnapshotScheduleReconciler(operatorClient, clock, registry, FAST));
  }

  /** Moves the clock and waits until the schedule's status has caught up with it. */
  void moveClockTo(Instant instant, String schedule) {
    clock.set(instant);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              QuiescedSnapshotSchedule s = schedule(schedule);
              return s.getStatus() != null
                  && s.getStatus().getNextScheduleTime() != null
                  && Instant.parse(s.getStatus().getNextScheduleTime()).isAfter(instant);
            });
  }

  static double count(
      SimpleMeterRegistry registry, String meter, String namespace, String schedule) {
    Counter counter =
        registry.find(meter).tag("namespace", namespace).tag("schedule", schedule).counter();
    return counter == null ? 0 : counter.count();
  }

  static LabelSelector selector(Map<String, String> matchLabels) {
    LabelSelector selector = new LabelSelector();
    selector.setMatchLabels(matchLabels);
    return selector;
  }
}
