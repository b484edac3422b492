package io.quiesce.plugin;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.SnapshotPhase;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import io.quiesce.schedule.CronSchedule;
import io.quiesce.schedule.InvalidScheduleException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The plugin's commands, each against one namespace. */
final class PluginCommands {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final ResourceDefinitionContext VMI =
      new ResourceDefinitionContext.Builder()
          .withGroup("kubevirt.io")
          .withVersion("v1")
          .withPlural("virtualmachineinstances")
          .withNamespaced(true)
          .withKind("VirtualMachineInstance")
          .build();

  private static final Duration POLL = Duration.ofMillis(500);

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
    // polled, not watched: one small GET every half second is all a person at a terminal needs, and
    // it
    // works through every proxy and API server a kubeconfig may point at
    Instant deadline = clock.instant().plus(timeout);
    String lastPhase = null;
    try {
      while (true) {
        QuiescedSnapshot live =
            client.resources(QuiescedSnapshot.class).inNamespace(namespace).withName(name).get();
        if (live == null) {
          throw new PluginException(
              PluginException.FAILED, "snapshot " + name + " was deleted while waiting");
        }
        QuiescedSnapshotStatus status = live.getStatus();
        String phase =
            status == null || status.getPhase() == null ? "Pending" : status.getPhase().name();
        if (!phase.equals(lastPhase)) {
          lastPhase = phase;
          out.println(clockTime() + "  " + phase + phaseDetail(status));
        }
        if (isTerminal(status)) {
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
        if (!clock.instant().isBefore(deadline)) {
          throw new PluginException(
              PluginException.TIMEOUT,
              "snapshot "
                  + name
                  + " did not finish within "
                  + timeout.toSeconds()
                  + " s (it goes on: kubectl quiesce describe "
                  + name
                  + ")");
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginException(PluginException.INTERNAL, "interrupted");
    }
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
    if (latest.isEmpty()) {
      out.println(
          "No snapshots"
              + vm.map(v -> " of VM " + v).orElse("")
              + " in namespace "
              + namespace
              + ".");
      return 0;
    }
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
    return 0;
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
    add(
        events,
        snapshot.getMetadata().getCreationTimestamp(),
        "created",
        "of VM " + snapshot.getSpec().getSource());
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
    events.sort(Comparator.comparing(e -> instant(e[0])));
    out.println(
        "QuiescedSnapshot "
            + namespace
            + "/"
            + name
            + "  phase "
            + (status.getPhase() == null ? "Pending" : status.getPhase()));
    events.forEach(e -> out.printf("  %-22s %-9s %s%n", e[0], e[1], e[2]));
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
   * Emergency thaw. The node helper serves no API of its own (only health and metrics) and freezes
   * only for a QuiescedSnapshot assigned to it, so the plugin cannot ask it to thaw without running
   * a command in its pod. The thaw goes through KubeVirt's {@code unfreeze} subresource of the VMI
   * instead (virt-handler thaws through the same guest agent; thawing a guest that is not frozen
   * does nothing), and is recorded as an Event on the VMI. The helper's own route is printed for
   * when KubeVirt's API cannot reach the guest.
   */
  int thaw(String vm) throws PluginException {
    GenericKubernetesResource vmi =
        client.genericKubernetesResources(VMI).inNamespace(namespace).withName(vm).get();
    if (vmi == null) {
      throw new PluginException(
          PluginException.FAILED,
          "virtualmachineinstance \""
              + vm
              + "\" not found in namespace "
              + namespace
              + " (a stopped VM has no guest to thaw)");
    }
    String path =
        "/apis/subresources.kubevirt.io/v1/namespaces/"
            + namespace
            + "/virtualmachineinstances/"
            + vm
            + "/unfreeze";
    try {
      var http = client.getHttpClient();
      var request =
          http.newHttpRequestBuilder()
              .uri(client.getMasterUrl().toString().replaceAll("/$", "") + path)
              .put("application/json", "{}")
              .build();
      var response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
      if (response.code() / 100 != 2) {
        throw new PluginException(
            PluginException.FAILED,
            "KubeVirt refused the unfreeze of "
                + vm
                + " (HTTP "
                + response.code()
                + "): "
                + Objects.toString(response.body(), "").lines().findFirst().orElse(""));
      }
    } catch (TimeoutException e) {
      throw new PluginException(
          PluginException.TIMEOUT,
          "KubeVirt did not answer the unfreeze of " + vm + " within 30 s");
    } catch (ExecutionException e) {
      throw new PluginException(
          PluginException.FAILED, "unfreeze of " + vm + " failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginException(PluginException.INTERNAL, "interrupted");
    }
    recordThaw(vmi);
    String node =
        Objects.toString(
            ((Map<?, ?>) vmi.getAdditionalProperties().getOrDefault("status", Map.of()))
                .get("nodeName"),
            "its node");
    out.println(
        "virtualmachineinstance/"
            + vm
            + " thawed through KubeVirt's unfreeze (Event EmergencyThaw recorded)");
    out.println("if the guest stays frozen, thaw it through the node helper on " + node + ":");
    out.println(
        "  kubectl exec -n <quiesce namespace> <node-helper pod on "
            + node
            + "> -- java -jar /app/node-helper.jar recover --libvirt-socket <virt-launcher socket> --domain "
            + namespace
            + "_"
            + vm
            + "   (docs/kubevirt.md)");
    return 0;
  }

  private void recordThaw(GenericKubernetesResource vmi) {
    Instant now = clock.instant();
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(vmi.getMetadata().getName() + ".thaw-")
                  .withNamespace(namespace)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion("kubevirt.io/v1")
                          .withKind("VirtualMachineInstance")
                          .withNamespace(namespace)
                          .withName(vmi.getMetadata().getName())
                          .withUid(vmi.getMetadata().getUid())
                          .build())
                  .withReason("EmergencyThaw")
                  .withType("Warning")
                  .withMessage(
                      "emergency thaw requested with kubectl quiesce thaw by "
                          + Objects.toString(System.getenv("USER"), "an unknown user"))
                  .withFirstTimestamp(now.toString())
                  .withLastTimestamp(now.toString())
                  .withCount(1)
                  .withNewSource()
                  .withComponent("kubectl-quiesce")
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      out.println(
          "warning: the thaw worked but its Event could not be recorded: " + e.getMessage());
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

  private String age(String timestamp) {
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

  private String clockTime() {
    return DateTimeFormatter.ISO_LOCAL_TIME
        .withZone(ZoneOffset.UTC)
        .format(clock.instant())
        .substring(0, 8);
  }
}
