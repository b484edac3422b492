package io.quiesce.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.testkit.MovableClock;
import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one Events recorder against the in-JVM API server: stable names, repeats aggregated. */
@KubeApiTest
class EventRecorderTest {
  private static final EventRecorder.Reporter OPERATOR =
      new EventRecorder.Reporter("quiesce-operator", null, "quiesce.io/operator", "operator-0");
  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-05T10:00:00Z"));

  @Test
  void aRepeatBumpsCountAndLastTimestampOfTheSameEvent(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("events");
    QuiescedSnapshot s = snapshot(ns, "nightly", "uid-1");
    EventRecorder recorder = new EventRecorder(client, OPERATOR, clock, Runnable::run);

    recorder.normal(s, "WaitingForFreezeSlot", "waiting (1)");
    clock.advance(Duration.ofSeconds(30));
    recorder.normal(s, "WaitingForFreezeSlot", "waiting (2)");
    clock.advance(Duration.ofSeconds(30));
    recorder.normal(s, "WaitingForFreezeSlot", "waiting (3)");

    List<Event> events = events(client, ns);
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getMetadata().getName())
                  .isEqualTo(recorder.name(s, "Normal", "WaitingForFreezeSlot"))
                  .startsWith("nightly.");
              assertThat(e.getCount()).isEqualTo(3);
              assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-05T10:00:00Z");
              assertThat(e.getLastTimestamp()).isEqualTo("2026-12-05T10:01:00Z");
              assertThat(e.getMessage()).isEqualTo("waiting (3)");
              assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-1");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("QuiescedSnapshot");
              assertThat(e.getSource().getComponent()).isEqualTo("quiesce-operator");
            });
  }

  @Test
  void eachReasonTypeAndObjectHasItsOwnEvent(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("events");
    QuiescedSnapshot a = snapshot(ns, "a", "uid-a");
    QuiescedSnapshot b = snapshot(ns, "b", "uid-b");
    EventRecorder recorder = new EventRecorder(client, OPERATOR, clock, Runnable::run);

    recorder.normal(a, "Assigned", "x");
    recorder.normal(a, "Succeeded", "x");
    recorder.warning(a, "Succeeded", "x");
    recorder.normal(b, "Assigned", "x");
    // the same name, recreated with another UID: another object, another Event
    recorder.normal(snapshot(ns, "a", "uid-a2"), "Assigned", "x");

    assertThat(events(client, ns))
        .hasSize(5)
        .allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void eachOccurrenceKeepsItsOwnEventAndMessage(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("events");
    QuiescedSnapshot s = snapshot(ns, "vm", "uid-1");
    EventRecorder recorder = new EventRecorder(client, OPERATOR, clock, Runnable::run);

    recorder.recordOccurrence(s, false, "EmergencyThaw", "token-1", "first");
    recorder.recordOccurrence(s, false, "EmergencyThaw", "token-2", "second");
    recorder.recordOccurrence(s, false, "EmergencyThaw", "token-2", "second again");

    assertThat(events(client, ns))
        .extracting(Event::getMessage, Event::getCount)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("first", 1),
            org.assertj.core.groups.Tuple.tuple("second again", 2));
  }

  @Test
  void aRestartedRecorderContinuesTheCountOfTheEventThere(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("events");
    QuiescedSnapshot s = snapshot(ns, "nightly", "uid-1");
    new EventRecorder(client, OPERATOR, clock, Runnable::run)
        .warning(s, "HelperNotResponding", "one");
    new EventRecorder(client, OPERATOR, clock, Runnable::run)
        .warning(s, "HelperNotResponding", "two");
    EventRecorder third = new EventRecorder(client, OPERATOR, clock, Runnable::run);
    third.warning(s, "HelperNotResponding", "three");
    third.warning(s, "HelperNotResponding", "four");

    assertThat(events(client, ns))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(4);
              assertThat(e.getMessage()).isEqualTo("four");
              assertThat(e.getType()).isEqualTo("Warning");
            });
  }

  @Test
  void anExpiredEventStartsANewCount(KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("events");
    QuiescedSnapshot s = snapshot(ns, "nightly", "uid-1");
    EventRecorder recorder = new EventRecorder(client, OPERATOR, clock, Runnable::run);
    recorder.normal(s, "Thawed", "one");
    recorder.normal(s, "Thawed", "two");
    client.v1().events().inNamespace(ns).delete();
    recorder.normal(s, "Thawed", "three");

    assertThat(events(client, ns))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(1);
              assertThat(e.getMessage()).isEqualTo("three");
            });
  }

  @Test
  void theNodeHelperReportsItsNodeAndLongNamesStayValid(
      KubeApiServer server, KubernetesClient client) {
    String ns = server.createNamespace("events");
    QuiescedSnapshot s = snapshot(ns, "a".repeat(253), "uid-1");
    EventRecorder helper =
        new EventRecorder(
            client,
            new EventRecorder.Reporter(
                "quiesce-node-helper",
                "node01",
                "quiesce-node-helper",
                "quiesce-node-helper-node01"),
            clock,
            Runnable::run);
    helper.normal(s, "Frozen", "frozen");
    helper.normal(s, "Frozen", "frozen");

    assertThat(events(client, ns))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getMetadata().getName())
                  .hasSizeLessThanOrEqualTo(253)
                  .matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
              assertThat(e.getSource().getHost()).isEqualTo("node01");
              assertThat(e.getCount()).isEqualTo(2);
            });
  }

  private static List<Event> events(KubernetesClient client, String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  private static QuiescedSnapshot snapshot(String ns, String name, String uid) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setNamespace(ns);
    s.getMetadata().setName(name);
    s.getMetadata().setUid(uid);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("db-01");
    s.setSpec(spec);
    return s;
  }
}
