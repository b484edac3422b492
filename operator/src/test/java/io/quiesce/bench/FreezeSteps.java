package io.quiesce.bench;

import io.quiesce.snapshot.FakeNodeHelper;
import io.quiesce.testkit.kube.csi.SnapshotRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a scale round's fake freezes spend their time, step by step: medians over the snapshots of
 * the instants the FAKE node helper, the FAKE snapshotter and the bench's own informer noted (one
 * clock: all run in the bench's JVM). The operator's share of a slot's turn-around is read from the
 * order of events: with the cluster cap the binding limit, the i-th freeze taken waited for the (i
 * - cap)-th record written.
 */
final class FreezeSteps {

  private FreezeSteps() {}

  /** One snapshot as the bench saw it and as the fakes did it. */
  record Seen(
      Instant inProgress,
      Instant terminal,
      FakeNodeHelper.Timeline helper,
      SnapshotRecord snapshotter) {}

  /** Step name to its median in milliseconds (with how many snapshots it was measured over). */
  static Map<String, String> medians(Collection<Seen> seen, int cap) {
    Map<String, String> out = new LinkedHashMap<>();
    step(
        out,
        "helper: informer event to its worker",
        seen,
        s -> s.helper().taken,
        s -> s.helper().started);
    step(
        out,
        "helper: POST of the VolumeSnapshot",
        seen,
        s -> s.helper().started,
        s -> s.helper().created);
    step(
        out,
        "snapshotter: VolumeSnapshot created to seen",
        seen,
        s -> s.helper().created,
        s -> s.snapshotter().createdAt());
    step(
        out,
        "snapshotter: seen to content created",
        seen,
        s -> s.snapshotter().createdAt(),
        s -> s.snapshotter().contentAt());
    step(
        out,
        "snapshotter: content created to cut (the cut delay; the snapshot bound meanwhile)",
        seen,
        s -> s.snapshotter().contentAt(),
        s -> s.snapshotter().cutAt());
    step(
        out,
        "snapshotter: cut to creationTime written",
        seen,
        s -> s.snapshotter().cutAt(),
        s -> s.snapshotter().cutWrittenAt());
    step(
        out,
        "helper: creationTime written to seen",
        seen,
        s -> s.snapshotter().cutWrittenAt(),
        s -> s.helper().cutSeen);
    step(
        out,
        "helper: freeze (its record's durationMs)",
        seen,
        s -> s.helper().started,
        s -> s.helper().cutSeen);
    step(
        out,
        "helper: PATCH of the freeze record",
        seen,
        s -> s.helper().cutSeen,
        s -> s.helper().recorded);
    step(
        out,
        "operator: record written to terminal seen",
        seen,
        s -> s.helper().recorded,
        s -> s.terminal());
    // a slot's turn-around outside the freeze: record written -> the next admission's InProgress
    // seen (operator) -> the helper's informer event (watch)
    List<Instant> recorded = sorted(seen, s -> s.helper().recorded);
    List<Instant> inProgress = sorted(seen, Seen::inProgress);
    List<Instant> taken = sorted(seen, s -> s.helper().taken);
    out.put(
        "operator: a slot freed (record written) to the next InProgress seen",
        median(lagged(recorded, inProgress, cap)));
    out.put(
        "a slot freed (record written) to the next freeze taken by the helper",
        median(lagged(recorded, taken, cap)));
    return out;
  }

  /**
   * The fire's two edges, outside the steady turn-around of its slots: from the fire to the first
   * freeze taken and to the cap-th (every slot busy once), and from the last record written to the
   * last snapshot seen terminal.
   */
  static Map<String, Long> edges(Collection<Seen> seen, Instant fire, int cap) {
    List<Instant> taken = sorted(seen, s -> s.helper().taken);
    List<Instant> recorded = sorted(seen, s -> s.helper().recorded);
    List<Instant> terminal = sorted(seen, Seen::terminal);
    Map<String, Long> out = new LinkedHashMap<>();
    if (!taken.isEmpty()) {
      out.put("fire to the first freeze taken", Duration.between(fire, taken.get(0)).toMillis());
      out.put(
          "fire to every slot busy once (freeze number " + Math.min(cap, taken.size()) + " taken)",
          Duration.between(fire, taken.get(Math.min(cap, taken.size()) - 1)).toMillis());
    }
    if (!recorded.isEmpty() && !terminal.isEmpty()) {
      out.put(
          "last record written to the last terminal seen",
          Duration.between(recorded.get(recorded.size() - 1), terminal.get(terminal.size() - 1))
              .toMillis());
    }
    return out;
  }

  private static void step(
      Map<String, String> out,
      String name,
      Collection<Seen> seen,
      Function<Seen, Instant> from,
      Function<Seen, Instant> to) {
    List<Long> ms = new ArrayList<>();
    for (Seen s : seen) {
      if (s.helper() == null || s.snapshotter() == null) {
        continue;
      }
      Instant a = from.apply(s);
      Instant b = to.apply(s);
      if (a != null && b != null) {
        ms.add(Duration.between(a, b).toMillis());
      }
    }
    out.put(name, median(ms));
  }

  private static List<Instant> sorted(Collection<Seen> seen, Function<Seen, Instant> at) {
    return seen.stream()
        .filter(s -> s.helper() != null)
        .map(at)
        .filter(Objects::nonNull)
        .sorted()
        .toList();
  }

  /** For the i-th event of {@code later}, the time since the (i - cap)-th of {@code earlier}. */
  private static List<Long> lagged(List<Instant> earlier, List<Instant> later, int cap) {
    List<Long> ms = new ArrayList<>();
    for (int i = cap; i < later.size() && i - cap < earlier.size(); i++) {
      ms.add(Duration.between(earlier.get(i - cap), later.get(i)).toMillis());
    }
    return ms;
  }

  private static String median(List<Long> ms) {
    return ms.isEmpty() ? "n/a" : String.format("%.0f (n=%d)", Percentiles.median(ms), ms.size());
  }
}
