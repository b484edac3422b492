package io.quiesce.sandbox;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The snapshots of a schedule's first {@code fires} fires, once each of those fires has a snapshot
 * of every VM and all of them are terminal.
 */
final class FirstFires {

  private final int fires;
  private final int vms;

  FirstFires(int fires, int vms) {
    if (fires < 1 || vms < 1) {
      throw new IllegalArgumentException(
          "need at least one fire and one VM, got " + fires + " and " + vms);
    }
    this.fires = fires;
    this.vms = vms;
  }

  /** The rows of the first fires, ordered by fire and VM, when they are complete; else empty. */
  Optional<List<SnapshotRow>> completed(Collection<SnapshotRow> rows) {
    List<String> firstFires =
        rows.stream().map(SnapshotRow::fire).distinct().sorted().limit(fires).toList();
    if (firstFires.size() < fires) {
      return Optional.empty();
    }
    List<SnapshotRow> ofFirstFires =
        rows.stream()
            .filter(r -> firstFires.contains(r.fire()))
            .sorted(Comparator.comparing(SnapshotRow::fire).thenComparing(SnapshotRow::vm))
            .toList();
    boolean complete =
        ofFirstFires.size() == fires * vms && ofFirstFires.stream().allMatch(SnapshotRow::terminal);
    return complete ? Optional.of(ofFirstFires) : Optional.empty();
  }
}
