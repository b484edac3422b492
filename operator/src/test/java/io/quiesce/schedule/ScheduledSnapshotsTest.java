package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.naming.Provenance;
import io.quiesce.snapshot.CachedCopies;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The index of the schedules' snapshots, kept off an informer's store. */
class ScheduledSnapshotsTest {
  private final ScheduledSnapshots snapshots = new ScheduledSnapshots();
  private final ItemStore<QuiescedSnapshot> store =
      snapshots.over(new CachedCopies.SnapshotStore());

  @Test
  void followsEachSnapshotToTheScheduleItNamesAndOut() {
    put(snapshot("s1", "nightly"));
    put(snapshot("s2", "nightly"));
    put(snapshot("s3", "hourly"));
    QuiescedSnapshot unlabelled = snapshot("s4", "nightly");
    unlabelled.getMetadata().getLabels().remove(Provenance.SCHEDULE);
    put(unlabelled);

    assertThat(names("nightly")).containsExactlyInAnyOrder("s1", "s2");
    assertThat(names("hourly")).containsExactly("s3");
    assertThat(snapshots.of("other-ns", "nightly")).isEmpty();

    put(
        edit(
            snapshot("s2", "nightly"),
            s -> s.getMetadata().getAnnotations().put(Provenance.SCHEDULE, "hourly")));
    store.remove(store.getKey(snapshot("s1", "nightly")));

    assertThat(names("nightly")).isEmpty();
    assertThat(names("hourly")).containsExactlyInAnyOrder("s2", "s3");
    assertThat(store.size()).as("the informer's store itself").isEqualTo(3);
  }

  @Test
  void progressIsNothingToTheScheduleButEndsProvenanceAndRestoresAre() {
    QuiescedSnapshot pending = snapshot("s1", "nightly");
    QuiescedSnapshot running = edit(pending, s -> status(s).setPhase(SnapshotPhase.InProgress));
    QuiescedSnapshot talking = edit(running, s -> status(s).setMessage("freezing"));
    assertThat(ScheduledSnapshots.sameForSchedule(pending, running)).isTrue();
    assertThat(ScheduledSnapshots.sameForSchedule(running, talking)).isTrue();

    assertThat(
            ScheduledSnapshots.sameForSchedule(
                running, edit(running, s -> status(s).setPhase(SnapshotPhase.Succeeded))))
        .isFalse();
    assertThat(
            ScheduledSnapshots.sameForSchedule(
                running,
                edit(
                    running,
                    s ->
                        s.getMetadata()
                            .setFinalizers(List.of(QuiescedSnapshotRestore.SOURCE_FINALIZER)))))
        .isFalse();
    assertThat(
            ScheduledSnapshots.sameForSchedule(
                running,
                edit(running, s -> s.getMetadata().setDeletionTimestamp("2026-12-06T10:00:00Z"))))
        .isFalse();
    assertThat(
            ScheduledSnapshots.sameForSchedule(
                running,
                edit(
                    running,
                    s -> s.getMetadata().getAnnotations().put(Provenance.SCHEDULE_UID, "other"))))
        .isFalse();
    assertThat(ScheduledSnapshots.sameForSchedule(null, running)).isFalse();
  }

  private void put(QuiescedSnapshot s) {
    store.put(store.getKey(s), s);
  }

  private List<String> names(String schedule) {
    return snapshots.of("ns", schedule).map(s -> s.getMetadata().getName()).toList();
  }

  private static QuiescedSnapshotStatus status(QuiescedSnapshot s) {
    if (s.getStatus() == null) {
      s.setStatus(new QuiescedSnapshotStatus());
    }
    return s.getStatus();
  }

  private static QuiescedSnapshot edit(QuiescedSnapshot s, Consumer<QuiescedSnapshot> change) {
    QuiescedSnapshot copy = Serialization.clone(s);
    change.accept(copy);
    return copy;
  }

  private static QuiescedSnapshot snapshot(String name, String schedule) {
    QuiescedSnapshot s = new QuiescedSnapshot();
    s.getMetadata().setName(name);
    s.getMetadata().setNamespace("ns");
    s.getMetadata().setUid("uid-" + name);
    s.getMetadata().setCreationTimestamp("2026-12-06T09:00:00Z");
    s.getMetadata().setLabels(new HashMap<>(Map.of(Provenance.SCHEDULE, schedule)));
    s.getMetadata()
        .setAnnotations(
            new HashMap<>(
                Map.of(Provenance.SCHEDULE, schedule, Provenance.SCHEDULE_UID, "uid-" + schedule)));
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource("vm-" + name);
    s.setSpec(spec);
    return s;
  }
}
