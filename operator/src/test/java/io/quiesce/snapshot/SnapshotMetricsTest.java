package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SnapshotMetricsTest {

  @Test
  void aSnapshotDecidedTwiceOnAStaleCacheIsCountedOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SnapshotMetrics metrics = new SnapshotMetrics(registry);
    metrics.inProgress("ns/a", true);

    metrics.finished("ns/a", "uid-a", "FilesystemConsistent", Duration.ofSeconds(3));
    metrics.finished("ns/a", "uid-a", "FilesystemConsistent", Duration.ofSeconds(4));
    metrics.finished("ns/b", "uid-b", "FilesystemConsistent", Duration.ofSeconds(5));

    assertThat(
            registry
                .get("quiesce.snapshots")
                .tag("outcome", "FilesystemConsistent")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(registry.get("quiesce.snapshots.in.progress").gauge().value()).isZero();
    metrics.forget("ns/a", "uid-a");
    metrics.finished(
        "ns/a",
        "uid-a",
        "Failed",
        Duration.ofSeconds(1)); // a new object under an old UID cannot happen; forget frees memory
    assertThat(registry.get("quiesce.snapshots").tag("outcome", "Failed").counter().count())
        .isEqualTo(1.0);
  }
}
