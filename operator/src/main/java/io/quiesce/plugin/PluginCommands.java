package io.quiesce.plugin;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import io.quiesce.naming.ThawRequest;
import io.quiesce.schedule.CronSchedule;
import io.quiesce.schedule.InvalidScheduleException;
import io.quiesce.status.Reason;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The plugin's commands, each against one namespace. */
final class PluginCommands {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private final KubernetesClient client;
  private final String namespace;
  private final PrintStream out;
  private final Clock clock;

  PluginCommands(KubernetesClient client, String namespace, PrintStream out, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.out = out;
    this.clock = clock;
  }

  /**
   * Creates a snapshot of the VM; with {@code wait}, follows it until it ends or the timeout
   * passes.
   */
  int snapshot(String vm, boolean wait, Duration timeout, Optional<String> mode)
      throws PluginException {
    QuiescedSnapshot snapshot = new QuiescedSnapshot();
    snapshot.getMetadata().setName(vm + "-" + STAMP.format(clock.instant()));
    snapshot.getMetadata().setNamespace(namespace);
    QuiescedSnapshotSpec spec = new QuiescedSnapshotSpec();
    spec.setSource(vm);
    if (mode.isPresent()) {
      QuiesceOptions quiesce = new QuiesceOptions();
      quiesce.setMode(QuiesceMode.valueOf(mode.get()));
      spec.setQuiesce(quiesce);
    }
    snapshot.setSpec(spec);
    QuiescedSnapshot created = client.resource(snapshot).create();
    String name = created.getMetadata().getName();
    out.println("quiescedsnapshot.quiesce.io/" + name + " created");
    if (!wait) {
      return 0;
    }
    return follow(name, timeout);
  }

  /**
   * Follows the snapshot with a watch until it succeeds or fails, printing each phase change, then
   * the freeze window.
   */
  private int follow(String name, Duration timeout) throws PluginException {
    try (Follower<QuiescedSnapshot> follower =
        new Follower<>(
            client.resources(QuiescedSnapshot.class).inNamespace(namespace).withName(name),
            clock)) {
      QuiescedSnapshotStatus status =
          follower
              .followToEnd(
                  "snapshot " + name,
                  "kubectl quiesce describe " + name,
                  timeout,
                  s -> phaseOf(s.getStatus()),
                  s -> phaseDetail(s.getStatus()),
                  s -> isTerminal(s.getStatus()),
                  line -> out.println(clockTime() + "  " + line))
              .getStatus();
      printWindow(status);
      if (status.getPhase() == SnapshotPhase.Failed) {
        throw new PluginException(
            PluginException.FAILED,
            "snapshot "
                + name
                + " failed: "
                + Objects.toString(status.getMessage(), "see kubectl describe qsnap " + name));
      }
      return 0;
    }
  }

  private static String phaseOf(QuiescedSnapshotStatus status) {
    return status == null || status.getPhase() == null ? "Pending" : status.getPhase().name();
  }

  private static boolean isTerminal(QuiescedSnapshotStatus status) {
    return status != null
        && (status.getPhase() == SnapshotPhase.Succeeded
            || status.getPhase() == SnapshotPhase.Failed);
  }

  private static String phaseDetail(QuiescedSnapshotStatus status) {
    if (status == null) {
      return "";
    }
    List<String> details = new ArrayList<>();
    if (status.getNodeName() != null) {
      details.add("node " + status.getNodeName());
    }
    if (status.getConsistency() != null) {
      details.add(status.getConsistency().toString());
    }
    return details.isEmpty() ? "" : "  (" + String.join(", ", details) + ")";
  }

  private void printWindow(QuiescedSnapshotStatus status) {
    FreezeRecord freeze = status.getFreeze();
    if (freeze != null && freeze.getDurationMs() != null) {
      out.println(
          "freeze window: "
              + freeze.getDurationMs()
              + " ms ("
              + freeze.getStartTime()
              + " .. "
              + freeze.getEndTime()
              + ", "
              + Objects.toString(freeze.getMethod(), "?")
              + ", thawed by "
              + Objects.toString(freeze.getThawedBy(), "?")
              + ")");
    } else {
      out.println(
          "freeze window: none"
              + (freeze != null && freeze.getReason() != null
                  ? " (" + freeze.getReason() + ")"
                  : ""));
    }
    out.println(
        "consistency: "
            + Objects.toString(status.getConsistency(), "unknown")
            + (status.getConsistencyReason() != null
                ? " (" + status.getConsistencyReason() + ")"
                : ""));
  }

  /** Each VM's latest snapshot. */
  int status(Optional<String> vm) {
    Map<String, QuiescedSnapshot> latest = new LinkedHashMap<>();
    client.resources(QuiescedSnapshot.class).inNamespace(namespace).list().getItems().stream()
        .filter(
            s ->
                s.getSpec() != null
                    && s.getSpec().getSource() != null // a consistency group has no one VM
                    && vm.map(v -> v.equals(s.getSpec().getSource())).orElse(true))
        .sorted(
            Comparator.comparing((QuiescedSnapshot s) -> s.getSpec().getSource())
                .thenComparing(s -> s.getMetadata().getCreationTimestamp()))
        .forEach(s -> latest.put(s.getSpec().getSource(), s));
    Map<List<String>, QuiescedSnapshot> groups = latestGroups(vm);
    if (latest.isEmpty() && groups.isEmpty()) {
      out.println(
          "No snapshots"
              + vm.map(v -> " of VM " + v).orElse("")
              + " in namespace "
              + namespace
              + ".");
      return 0;
    }
    if (!latest.isEmpty()) {
      printLatest(latest);
    }
    if (!groups.isEmpty()) {
      if (!latest.isEmpty()) {
        out.println();
      }
      printGroups(groups);
    }
    return 0;
  }

  /** The latest group snapshot of each set of VMs (of those naming {@code vm}, if given). */
  private Map<List<String>, QuiescedSnapshot> latestGroups(Optional<String> vm) {
    Map<List<String>, QuiescedSnapshot> latest = new LinkedHashMap<>();
    client.resources(QuiescedSnapshot.class).inNamespace(namespace).list().getItems().stream()
        .filter(GroupView::isGroup)
        .filter(s -> vm.map(v -> GroupView.vms(s).contains(v)).orElse(true))
        .sorted(Comparator.comparing(s -> s.getMetadata().getCreationTimestamp()))
        .forEach(s -> latest.put(GroupView.vms(s).stream().sorted().toList(), s));
    return latest;
  }

  private void printGroups(Map<List<String>, QuiescedSnapshot> groups) {
    String format = "%-30s %-36s %-11s %-22s %-10s %s%n";
    out.printf(format, "GROUP", "SNAPSHOT", "PHASE", "CONSISTENCY", "COMMON-MS", "AGE");
    groups.forEach(
        (vms, s) -> {
          QuiescedSnapshotStatus st = s.getStatus();
          out.printf(
              format,
              String.join(",", vms),
              s.getMetadata().getName(),
              st == null || st.getPhase() == null ? "Pending" : st.getPhase(),
              st == null || st.getConsistency() == null ? "-" : st.getConsistency(),
              GroupView.commonMs(st),
              age(s.getMetadata().getCreationTimestamp()));
        });
  }

  private void printLatest(Map<String, QuiescedSnapshot> latest) {
    String format = "%-20s %-36s %-11s %-22s %-10s %s%n";
    out.printf(format, "VM", "SNAPSHOT", "PHASE", "CONSISTENCY", "FROZEN-MS", "AGE");
    latest
        .values()
        .forEach(
            s -> {
              QuiescedSnapshotStatus st = s.getStatus();
              out.printf(
                  format,
                  s.getSpec().getSource(),
                  s.getMetadata().getName(),
                  st == null || st.getPhase() == null ? "Pending" : st.getPhase(),
                  st == null || st.getConsistency() == null ? "-" : st.getConsistency(),
                  st == null || st.getFreeze() == null || st.getFreeze().getDurationMs() == null
                      ? "-"
                      : st.getFreeze().getDurationMs(),
                  age(s.getMetadata().getCreationTimestamp()));
            });
  }

  /** A snapshot's timeline, in time order. */
  int describe(String name) throws PluginException {
    QuiescedSnapshot snapshot =
        client.resources(QuiescedSnapshot.class).inNamespace(namespace).withName(name).get();
    if (snapshot == null) {
      throw new PluginException(
          PluginException.FAILED,
          "quiescedsnapshot \"" + name + "\" not found in namespace " + namespace);
    }
    QuiescedSnapshotStatus status =
        snapshot.getStatus() == null ? new QuiescedSnapshotStatus() : snapshot.getStatus();
    List<String[]> events = new ArrayList<>();
    boolean group = GroupView.isGroup(snapshot);
    add(
        events,
        snapshot.getMetadata().getCreationTimestamp(),
        "created",
        group ? "of " + GroupView.source(snapshot) : "of VM " + snapshot.getSpec().getSource());
    add(
        events,
        status.getStartTime(),
        "assigned",
        status.getNodeName() == null ? "" : "to node " + status.getNodeName());
    FreezeRecord freeze = status.getFreeze();
    if (freeze != null) {
      add(
          events,
          freeze.getStartTime(),
          "frozen",
          Objects.toString(freeze.getMethod(), "")
              + (freeze.getFilesystemsFrozen() == null
                  ? ""
                  : ", " + freeze.getFilesystemsFrozen() + " filesystems"));
    }
    if (status.getVolumeSnapshots() != null) {
      for (VolumeSnapshotRecord cut : status.getVolumeSnapshots()) {
        add(
            events,
            cut.getCreationTime(),
            "cut",
            cut.getVolume()
                + " -> volumesnapshot/"
                + cut.getVolumeSnapshotName()
                + (Boolean.TRUE.equals(cut.getReadyToUse()) ? " (ready)" : ""));
      }
    }
    if (freeze != null) {
      add(
          events,
          freeze.getEndTime(),
          "thawed",
          "by "
              + Objects.toString(freeze.getThawedBy(), "?")
              + (freeze.getDurationMs() == null
                  ? ""
                  : " after " + freeze.getDurationMs() + " ms frozen"));
    }
    add(
        events,
        status.getCompletionTime(),
        status.getPhase() == SnapshotPhase.Failed ? "failed" : "ready",
        Objects.toString(status.getConsistency(), "")
            + (status.getMessage() == null ? "" : ": " + status.getMessage()));
    if (group) {
      GroupView.addTimeline(events, status);
    }
    events.sort(Comparator.comparing(e -> instant(e[0])));
    out.println(
        "QuiescedSnapshot "
            + namespace
            + "/"
            + name
            + "  phase "
            + (status.getPhase() == null ? "Pending" : status.getPhase()));
    events.forEach(e -> out.printf("  %-22s %-9s %s%n", e[0], e[1], e[2]));
    if (group) {
      GroupView.printMembers(out, status);
    }
    if (status.getPhase() == null
        || status.getPhase() == SnapshotPhase.Pending
        || status.getPhase() == SnapshotPhase.InProgress) {
      out.println("  (not finished)");
    }
    return 0;
  }

  private static void add(List<String[]> events, String time, String what, String detail) {
    if (time != null) {
      events.add(new String[] {time, what, detail.strip()});
    }
  }

  /** The next fire times of a schedule, in its time zone. */
  int preview(String name, int count) throws PluginException {
    QuiescedSnapshotSchedule schedule =
        client
            .resources(QuiescedSnapshotSchedule.class)
            .inNamespace(namespace)
            .withName(name)
            .get();
    if (schedule == null) {
      throw new PluginException(
          PluginException.FAILED,
          "quiescedsnapshotschedule \"" + name + "\" not found in namespace " + namespace);
    }
    String zone = Optional.ofNullable(schedule.getSpec().getTimeZone()).orElse("UTC");
    try {
      CronSchedule cron = CronSchedule.parse(schedule.getSpec().getSchedule(), zone);
      out.println(
          "schedule "
              + namespace
              + "/"
              + name
              + ": \""
              + schedule.getSpec().getSchedule()
              + "\" in "
              + zone
              + (Boolean.TRUE.equals(schedule.getSpec().getSuspend())
                  ? " (suspended: it will not fire)"
                  : ""));
      for (Instant fire : cron.next(clock.instant(), count)) {
        out.println(
            "  "
                + OffsetDateTime.ofInstant(fire, cron.zone())
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      }
      return 0;
    } catch (InvalidScheduleException e) {
      throw new PluginException(PluginException.FAILED, "schedule " + name + ": " + e.getMessage());
    }
  }

  /**
   * Emergency thaw through the node helper of the VM's node (docs/kubectl.md). The helper serves no
   * API, so the request goes through the API server: a new token in the VMI's {@code
   * quiesce.io/thaw-requested} annotation (a merge patch of that one annotation). The helper of the
   * instance's node thaws the guest through its own channel, records an {@code EmergencyThaw} Event
   * on the VMI and answers with the token in {@code quiesce.io/thaw-done}; the plugin follows the
   * VMI with a watch until then, at most {@code timeout}.
   */
  int thaw(String vm, Duration timeout) throws PluginException {
    VirtualMachineInstance vmi =
        client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(vm).get();
    if (vmi == null) {
      throw new PluginException(
          PluginException.FAILED,
          "virtualmachineinstance \""
              + vm
              + "\" not found in namespace "
              + namespace
              + " (a stopped VM has no guest to thaw)");
    }
    String node = vmi.getStatus() == null ? null : vmi.getStatus().getNodeName();
    if (node == null || node.isEmpty()) {
      throw new PluginException(
          PluginException.FAILED,
          "virtualmachineinstance \"" + vm + "\" runs on no node yet: no node helper to ask");
    }
    String token = ThawRequest.newToken(clock.instant());
    Instant deadline = clock.instant().plus(timeout);
    // the watch starts before the request, so that a fast answer is not missed
    try (Follower<VirtualMachineInstance> follower =
        new Follower<>(
            client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(vm),
            clock)) {
      client
          .resources(VirtualMachineInstance.class)
          .inNamespace(namespace)
          .withName(vm)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(
                  Map.of("metadata", Map.of("annotations", Map.of(ThawRequest.REQUESTED, token)))));
      out.println(
          "virtualmachineinstance/"
              + vm
              + ": emergency thaw requested (token "
              + token
              + "), waiting for the node helper on "
              + node);
      while (true) {
        Optional<Follower.Change<VirtualMachineInstance>> change = follower.next(deadline);
        if (change.isEmpty()) {
          withdraw(vm, token);
          throw new PluginException(
              PluginException.TIMEOUT,
              "no node helper answered the thaw request "
                  + token
                  + " within "
                  + timeout.toSeconds()
                  + " s: is the node helper running on node "
                  + node
                  + "? (its heartbeat: kubectl get lease -A | grep quiesce-helper-"
                  + node
                  + "); the request was withdrawn");
        }
        VirtualMachineInstance live =
            change
                .get()
                .object()
                .orElseThrow(
                    () ->
                        new PluginException(
                            PluginException.FAILED,
                            "virtualmachineinstance \""
                                + vm
                                + "\" was deleted while waiting: no guest left to thaw"));
        Map<String, String> annotations = live.getMetadata().getAnnotations();
        if (annotations != null && token.equals(annotations.get(ThawRequest.DONE))) {
          String result = Objects.toString(annotations.get(ThawRequest.RESULT), "");
          ThawRequest.Outcome outcome = ThawRequest.outcomeOf(result);
          out.println(
              "virtualmachineinstance/"
                  + vm
                  + ": "
                  + result
                  + " (Event "
                  + Reason.EMERGENCY_THAW.wire()
                  + " on the VMI)");
          if (!outcome.thawed()) {
            throw new PluginException(
                PluginException.FAILED,
                "the node helper on " + node + " could not confirm " + vm + " thawed: " + result);
          }
          return 0;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginException(PluginException.INTERNAL, "interrupted");
    }
  }

  /**
   * Removes an unanswered request, so that a helper starting later does not act on a stale one;
   * only while the annotation still holds our token (a JSON patch's test), else nothing.
   */
  private void withdraw(String vm, String token) {
    String path = "/metadata/annotations/" + ThawRequest.REQUESTED.replace("/", "~1");
    try {
      client
          .resources(VirtualMachineInstance.class)
          .inNamespace(namespace)
          .withName(vm)
          .patch(
              PatchContext.of(PatchType.JSON),
              Serialization.asJson(
                  List.of(
                      Map.of("op", "test", "path", path, "value", token),
                      Map.of("op", "remove", "path", path))));
    } catch (RuntimeException e) {
      // answered or replaced meanwhile: not ours to remove
    }
  }

  /** An RFC 3339 time; one that does not parse sorts last. */
  private static Instant instant(String time) {
    try {
      return OffsetDateTime.parse(time).toInstant();
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }

  String age(String timestamp) {
    try {
      Duration age = Duration.between(Instant.parse(timestamp), clock.instant());
      long s = Math.max(0, age.toSeconds());
      return s < 120
          ? s + "s"
          : s < 3 * 3600 ? s / 60 + "m" : s < 48 * 3600 ? s / 3600 + "h" : s / 86400 + "d";
    } catch (DateTimeParseException | NullPointerException e) {
      return "?";
    }
  }

  String clockTime() {
    return DateTimeFormatter.ISO_LOCAL_TIME
        .withZone(ZoneOffset.UTC)
        .format(clock.instant())
        .substring(0, 8);
  }
}
