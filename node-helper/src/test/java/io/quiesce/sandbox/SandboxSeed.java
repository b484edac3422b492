package io.quiesce.sandbox;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quiesce.api.v1alpha1.GuestHook;
import io.quiesce.api.v1alpha1.QuiesceChannel;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import io.quiesce.api.v1alpha1.QuiescedSnapshotScheduleSpec;
import io.quiesce.api.v1alpha1.SnapshotGrouping;
import io.quiesce.api.v1alpha1.SnapshotHooks;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import io.quiesce.api.v1alpha1.SnapshotTemplate;
import io.quiesce.testkit.kube.fixtures.Fixtures;
import io.quiesce.testkit.kube.fixtures.VmScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Seeds the sandbox's API with one running KubeVirt VM per guest (VM, VMI, launcher pod, a bound
 * PVC annotated with the guest's data-disk image), links {@code <socket root>/<pod UID>/qga.sock}
 * to the guest's real agent socket, and creates a schedule firing every minute over those VMs.
 * Talks to the API server named by {@code -Dkubernetes.master}.
 *
 * <p>Usage: {@code SandboxSeed [--no-schedule] [--channel C] [--group] <socket root> <guest
 * dir>...} where each guest dir holds the {@code qga-vm.env} that {@code hack/qga-vm.sh} wrote;
 * {@code --no-schedule} seeds the VMs only (the benchmark creates its own snapshots); {@code
 * --channel} sets the schedule's {@code quiesce.channel} (default: unset, so {@code auto}). With
 * {@code kubevirt-api} the schedule's {@code quiesce.timeout} is 15 s instead of 5 s: KubeVirt
 * reports a freeze through {@code status.fsFreezeStatus} only at its next 5 s poll, and the window
 * waits for that report. With {@code --group} the schedule's {@code grouping} is {@code
 * ConsistencyGroup}: each fire freezes every guest together as one group snapshot, through
 * KubeVirt's subresources (timeout 15 s as well).
 *
 * <p>The application-consistency contrast: on the channels that run hooks (not {@code
 * kubevirt-api}, not {@code --group}) the odd guests ({@code guest-1}, {@code guest-3}, ...) are
 * snapshotted by schedule {@code sandbox}, whose template has the preFreeze hook {@code tinydb-ctl
 * pause} and the postThaw hook {@code tinydb-ctl resume}, and the even ones by schedule {@code
 * sandbox-nohooks}, the same without hooks. Both are created in the same minute, so they fire
 * together.
 */
public final class SandboxSeed {

  private SandboxSeed() {}

  public static void main(String[] argv) throws IOException {
    boolean withSchedule = true;
    QuiesceChannel channel = null;
    boolean group = false;
    int first = 0;
    while (first < argv.length && argv[first].startsWith("--")) {
      if (argv[first].equals("--no-schedule")) {
        withSchedule = false;
        first++;
      } else if (argv[first].equals("--group")) {
        group = true;
        first++;
      } else if (argv[first].equals("--channel") && first + 1 < argv.length) {
        channel = QuiesceChannel.parse(argv[first + 1]);
        first += 2;
      } else {
        break;
      }
    }
    String[] args = java.util.Arrays.copyOfRange(argv, first, argv.length);
    if (args.length < 2) {
      System.err.println(
          "usage: SandboxSeed [--no-schedule] [--channel C] [--group] <socket root> <guest dir>...");
      System.exit(2);
    }
    Path socketRoot = Path.of(args[0]).toAbsolutePath();
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      for (String ns : List.of(Sandbox.NAMESPACE, Sandbox.SYSTEM_NAMESPACE)) {
        client
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .createOr(existing -> existing.update());
      }
      for (int i = 1; i < args.length; i++) {
        seedGuest(client, socketRoot, "guest-" + i, Path.of(args[i]), i % 2 == 1);
      }
      if (!withSchedule) {
        System.out.println(
            "seeded " + (args.length - 1) + " VMs in namespace " + Sandbox.NAMESPACE);
        return;
      }
      boolean contrast = !group && channel != QuiesceChannel.KUBEVIRT_API;
      List<QuiescedSnapshotSchedule> schedules =
          contrast && args.length > 2
              ? List.of(
                  schedule(Sandbox.SCHEDULE, channel, false, Boolean.TRUE),
                  schedule(Sandbox.SCHEDULE_WITHOUT_HOOKS, channel, false, Boolean.FALSE))
              : List.of(schedule(Sandbox.SCHEDULE, channel, group, contrast ? Boolean.TRUE : null));
      awayFromAMinuteBoundary();
      for (QuiescedSnapshotSchedule schedule : schedules) {
        client.resource(schedule).create();
        QuiesceOptions q = schedule.getSpec().getTemplate().getSpec().getQuiesce();
        System.out.println(
            "seeded schedule "
                + schedule.getMetadata().getName()
                + " (\"* * * * *\", Required, timeout "
                + q.getTimeout()
                + ", channel "
                + (channel == null ? "unset (auto)" : channel.value())
                + (group ? ", grouping ConsistencyGroup: every guest frozen together" : "")
                + (schedule.getSpec().getTemplate().getSpec().getHooks() != null
                    ? ", hooks: preFreeze tinydb-ctl pause, postThaw tinydb-ctl resume"
                    : contrast ? ", no hooks" : "")
                + ") in namespace "
                + Sandbox.NAMESPACE);
      }
      System.out.println("seeded " + (args.length - 1) + " VMs");
    }
  }

  /**
   * The schedules fire for the minutes after they were created: created in the same minute, the
   * hooked and the unhooked one fire together (the watch counts the first fires of all VMs).
   */
  private static void awayFromAMinuteBoundary() {
    int second = java.time.LocalTime.now(java.time.ZoneOffset.UTC).getSecond();
    if (second >= 57) {
      try {
        Thread.sleep((61 - second) * 1000L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void seedGuest(
      KubernetesClient client, Path socketRoot, String name, Path guestDir, boolean hooked)
      throws IOException {
    Properties env = guestEnv(guestDir);
    Path agentSocket = Path.of(env.getProperty("QGA_SOCK"));
    Path image = Path.of(env.getProperty("DATA_IMG"));
    VmScenario built =
        Fixtures.runningVm(Sandbox.NAMESPACE, name)
            .withPvcDisk("data", name + "-data", String.valueOf(Files.size(image)))
            .build();
    built
        .vm()
        .getMetadata()
        .setLabels(
            Map.of(
                "kubevirt.io/vm",
                name,
                Sandbox.VM_LABEL,
                "true",
                Sandbox.HOOKS_LABEL,
                String.valueOf(hooked)));
    VmScenario vm = built.create(client);
    for (PersistentVolumeClaim pvc : vm.pvcs()) {
      client
          .resource(pvc)
          .edit(
              p -> {
                Map<String, String> annotations = new HashMap<>(p.getMetadata().getAnnotations());
                annotations.put(Sandbox.IMAGE_ANNOTATION, image.toString());
                p.getMetadata().setAnnotations(annotations);
                return p;
              });
    }
    Path link =
        socketRoot.resolve(vm.launcherPods().get(0).getMetadata().getUid()).resolve("qga.sock");
    Files.createDirectories(link.getParent());
    Files.createLink(link, agentSocket); // a hard link: the socket is in the pod's own directory
    System.out.println(
        "VM "
            + Sandbox.NAMESPACE
            + "/"
            + name
            + ": agent "
            + link
            + " -> "
            + agentSocket
            + ", disk "
            + image);
  }

  /**
   * tinydb's checkpoint before the freeze, its writer going on after the thaw (see tinydb in
   * hack/qga-vm.sh); the pause waits at most 20 s for the writer.
   */
  static SnapshotHooks tinyDbHooks() {
    GuestHook pause = new GuestHook();
    pause.setCommand("/usr/local/bin/tinydb-ctl");
    pause.setArgs(List.of("pause"));
    pause.setTimeout("30s");
    GuestHook resume = new GuestHook();
    resume.setCommand("/usr/local/bin/tinydb-ctl");
    resume.setArgs(List.of("resume"));
    resume.setTimeout("10s");
    SnapshotHooks hooks = new SnapshotHooks();
    hooks.setPreFreeze(List.of(pause));
    hooks.setPostThaw(List.of(resume));
    return hooks;
  }

  /** The {@code KEY=value} lines of the guest's qga-vm.env. */
  static Properties guestEnv(Path guestDir) throws IOException {
    Properties env = new Properties();
    try (var reader = Files.newBufferedReader(guestDir.resolve("qga-vm.env"))) {
      env.load(reader);
    }
    for (String key : List.of("QGA_SOCK", "DATA_IMG")) {
      if (env.getProperty(key, "").isBlank()) {
        throw new IllegalStateException(guestDir + "/qga-vm.env has no " + key);
      }
    }
    return env;
  }

  /**
   * @param hooks TRUE: over the guests labelled for hooks, with the tinydb hooks; FALSE: over the
   *     others, without; null: over every guest, without
   */
  private static QuiescedSnapshotSchedule schedule(
      String name, QuiesceChannel channel, boolean group, Boolean hooks) {
    QuiesceOptions quiesce = new QuiesceOptions();
    quiesce.setMode(QuiesceMode.Required);
    quiesce.setTimeout(group || channel == QuiesceChannel.KUBEVIRT_API ? "15s" : "5s");
    quiesce.setChannel(channel);
    SnapshotOptions options = new SnapshotOptions();
    options.setQuiesce(quiesce);
    options.setFailureDeadline("5m");
    if (Boolean.TRUE.equals(hooks)) {
      options.setHooks(tinyDbHooks());
    }
    SnapshotTemplate template = new SnapshotTemplate();
    template.setSpec(options);
    QuiescedSnapshotScheduleSpec spec = new QuiescedSnapshotScheduleSpec();
    spec.setSchedule("* * * * *"); // cron's finest step: one fire a minute
    LabelSelectorBuilder selector =
        new LabelSelectorBuilder().addToMatchLabels(Sandbox.VM_LABEL, "true");
    if (hooks != null) {
      selector.addToMatchLabels(Sandbox.HOOKS_LABEL, hooks.toString());
    }
    spec.setVmSelector(selector.build());
    spec.setStartingDeadlineSeconds(30L);
    spec.setTemplate(template);
    if (group) {
      spec.setGrouping(SnapshotGrouping.ConsistencyGroup);
    }
    QuiescedSnapshotSchedule schedule = new QuiescedSnapshotSchedule();
    schedule.getMetadata().setName(name);
    schedule.getMetadata().setNamespace(Sandbox.NAMESPACE);
    schedule.setSpec(spec);
    return schedule;
  }
}
