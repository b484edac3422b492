package io.quiesce.testkit.kube.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quiesce.api.GoDurations;
import io.quiesce.kube.kubevirt.VirtualMachineInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A FAKE of KubeVirt's virt-api, virt-handler and virt-launcher for the four subresources the
 * {@code kubevirt-api} channel uses, served by the test API server under {@code
 * /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}/}. It acts on
 * the guest bound to the VMI ({@link #bind}), through that guest's agent, following KubeVirt's code
 * (kubevirt/kubevirt at d923fdb8):
 *
 * <ul>
 *   <li>{@code PUT freeze} with {@code {"unfreezeTimeout":"<duration>"}}
 *       (pkg/virt-api/rest/lifecycle.go, pkg/virt-handler/rest/lifecycle.go,
 *       pkg/virt-launcher/virtwrap/storage/fsfreeze.go): 409 unless the VMI is Running; 400 without
 *       an {@code unfreezeTimeout}; 500 while it migrates ("VMI is currently during migration") or
 *       when the agent fails; a guest already frozen is left as it is (200, its timer untouched);
 *       else freeze, then arm the auto-thaw at {@code unfreezeTimeout} ({@code 0s}: none). 200 with
 *       an empty body.
 *   <li>{@code PUT unfreeze}: 409 unless Running; cancels the auto-thaw; thaws unless the agent
 *       already says thawed.
 *   <li>{@code GET filesystemlist} and {@code GET guestosinfo} (pkg/virt-api/rest/subresource.go,
 *       virtwrap/manager.go): 500 unless Running with {@code AgentConnected}; answered from
 *       virt-launcher's cache of agent data ({@code guest-get-fsinfo} is refused by a frozen
 *       agent), read when the guest is bound.
 *   <li>{@code status.fsFreezeStatus} of the VMI: virt-launcher polls {@code guest-fsfreeze-status}
 *       (every 5 s by default, {@code --qemu-fsfreeze-status-interval}) and virt-handler writes
 *       {@code frozen}, or removes the field once thawed (pkg/virt-handler/vm.go
 *       updateFSFreezeStatus). Here a poller per bound guest does both, at the interval given to
 *       {@link #bind}.
 * </ul>
 *
 * Not emulated: authorization, dry-run, virt-launcher's TPM sync, anything else KubeVirt serves.
 */
public final class FakeKubeVirtApi implements AutoCloseable {
  /** KubeVirt's default {@code --qemu-fsfreeze-status-interval}. */
  public static final Duration KUBEVIRT_FSFREEZE_STATUS_INTERVAL = Duration.ofSeconds(5);

  private static final Pattern PATH =
      Pattern.compile(
          "^/apis/subresources\\.kubevirt\\.io/v1/namespaces/([^/]+)/virtualmachineinstances/([^/?]+)/([a-z]+)(\\?.*)?$");

  private final Function<String, Optional<ObjectNode>> store;
  private final KubernetesClient client;
  private final ScheduledExecutorService timers =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "fake-kubevirt");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Guest> guests = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<String> freezeBodies = new CopyOnWriteArrayList<>();

  /**
   * @param store reads a stored object by its path (the VMI's phase, conditions and migration)
   * @param client writes the VMI's {@code status.fsFreezeStatus}, as virt-handler does
   */
  public FakeKubeVirtApi(Function<String, Optional<ObjectNode>> store, KubernetesClient client) {
    this.store = store;
    this.client = client;
  }

  /**
   * Binds the VMI {@code ns/name} to a guest, polled for its freeze state at KubeVirt's default
   * interval.
   */
  public void bind(String namespace, String name, KubeVirtGuestBackend backend) {
    bind(namespace, name, backend, KUBEVIRT_FSFREEZE_STATUS_INTERVAL);
  }

  /**
   * Binds the VMI {@code ns/name} to a guest; reads its agent data now, as virt-launcher does at
   * start.
   */
  public void bind(
      String namespace, String name, KubeVirtGuestBackend backend, Duration statusInterval) {
    Guest guest = new Guest(namespace, name, backend);
    Guest before = guests.put(key(namespace, name), guest);
    if (before != null) {
      before.stop();
    }
    guest.poller =
        timers.scheduleAtFixedRate(
            guest::pollFreezeStatus, 0, statusInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The subresource calls answered so far, as {@code "PUT freeze ns/name 200"}. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /**
   * The bodies of the freeze requests answered so far, as {@code "ns/name
   * {\"unfreezeTimeout\":\"2s\"}"}.
   */
  public List<String> freezeBodies() {
    return List.copyOf(freezeBodies);
  }

  /** Answers one request under {@code /apis/subresources.kubevirt.io/}. */
  public MockResponse handle(RecordedRequest request) {
    Matcher m = PATH.matcher(request.getPath());
    if (!m.matches()) {
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    String ns = m.group(1);
    String name = m.group(2);
    String verb = m.group(3);
    String method = request.getMethod();
    MockResponse response =
        switch (method + " " + verb) {
          case "PUT freeze" -> {
            String body = request.getBody().readUtf8();
            freezeBodies.add(ns + "/" + name + " " + body);
            yield freeze(ns, name, body);
          }
          case "PUT unfreeze" -> unfreeze(ns, name);
          case "GET filesystemlist" -> filesystemList(ns, name);
          case "GET guestosinfo" -> guestOsInfo(ns, name);
          default -> status(404, "NotFound", "the server could not find the requested resource");
        };
    calls.add(method + " " + verb + " " + ns + "/" + name + " " + response.code());
    return response;
  }

  private MockResponse freeze(String ns, String name, String body) {
    Optional<MockResponse> refused = notRunning(ns, name);
    if (refused.isPresent()) {
      return refused.get();
    }
    Duration unfreezeTimeout;
    try {
      JsonNode timeout =
          Serialization.jsonMapper().readTree(body.isBlank() ? "{}" : body).get("unfreezeTimeout");
      if (timeout == null || !timeout.isTextual()) {
        return internal("Unfreeze timeout in freeze request is not set");
      }
      unfreezeTimeout = GoDurations.parse(timeout.asText());
    } catch (Exception e) {
      return internal("failed to unmarshal unfreeze timeout");
    }
    if (migrating(vmi(ns, name).orElseThrow())) {
      return internal("failed to freeze VMI, VMI is currently during migration");
    }
    Guest guest = guests.get(key(ns, name));
    if (guest == null) {
      return internal(
          "FAKE virt-handler: no guest is bound to VirtualMachineInstance " + ns + "/" + name);
    }
    return guest.freeze(unfreezeTimeout);
  }

  private MockResponse unfreeze(String ns, String name) {
    Optional<MockResponse> refused = notRunning(ns, name);
    if (refused.isPresent()) {
      return refused.get();
    }
    Guest guest = guests.get(key(ns, name));
    if (guest == null) {
      return internal(
          "FAKE virt-handler: no guest is bound to VirtualMachineInstance " + ns + "/" + name);
    }
    return guest.unfreeze();
  }

  private MockResponse filesystemList(String ns, String name) {
    Optional<Guest> guest = agentReachable(ns, name);
    if (guest.isEmpty()) {
      return internal("VMI is not running or its guest agent is not connected");
    }
    Map<String, Object> list = new HashMap<>();
    list.put("metadata", Map.of());
    list.put("items", guest.get().filesystemJson());
    return json(list);
  }

  private MockResponse guestOsInfo(String ns, String name) {
    Optional<Guest> guest = agentReachable(ns, name);
    if (guest.isEmpty()) {
      return internal("VMI is not running or its guest agent is not connected");
    }
    Map<String, Object> info = new HashMap<>();
    info.put("metadata", Map.of());
    info.put("guestAgentVersion", guest.get().agentVersion);
    info.put("fsInfo", Map.of("disks", guest.get().filesystemJson()));
    if (guest.get().reportedFrozen) {
      info.put("fsFreezeStatus", "frozen");
    }
    return json(info);
  }

  private Optional<MockResponse> notRunning(String ns, String name) {
    Optional<ObjectNode> vmi = vmi(ns, name);
    if (vmi.isEmpty()) {
      return Optional.of(
          status(404, "NotFound", "virtualmachineinstance.kubevirt.io \"" + name + "\" not found"));
    }
    if (!"Running".equals(vmi.get().path("status").path("phase").asText())) {
      return Optional.of(
          status(
              409,
              "Conflict",
              "Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io"
                  + " \""
                  + name
                  + "\": VMI is not running"));
    }
    return Optional.empty();
  }

  private Optional<Guest> agentReachable(String ns, String name) {
    Optional<ObjectNode> vmi = vmi(ns, name);
    boolean connected =
        vmi.map(
                v ->
                    "Running".equals(v.path("status").path("phase").asText())
                        && hasCondition(v, "AgentConnected"))
            .orElse(false);
    return connected ? Optional.ofNullable(guests.get(key(ns, name))) : Optional.empty();
  }

  private static boolean hasCondition(JsonNode vmi, String type) {
    for (JsonNode c : vmi.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return true;
      }
    }
    return false;
  }

  private static boolean migrating(JsonNode vmi) {
    JsonNode migration = vmi.path("status").path("migrationState");
    return !migration.isMissingNode()
        && !migration.isNull()
        && !migration.path("completed").asBoolean(false);
  }

  private Optional<ObjectNode> vmi(String ns, String name) {
    return store.apply(
        "/apis/kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/" + name);
  }

  @Override
  public void close() {
    guests.values().forEach(Guest::stop);
    timers.shutdownNow();
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }

  private static MockResponse json(Object body) {
    return new MockResponse().setResponseCode(200).setBody(Serialization.asJson(body));
  }

  private static MockResponse internal(String message) {
    return status(500, "InternalError", "Internal error occurred: " + message);
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse()
        .setResponseCode(code)
        .setBody(
            Serialization.asJson(
                new StatusBuilder()
                    .withApiVersion("v1")
                    .withKind("Status")
                    .withStatus("Failure")
                    .withCode(code)
                    .withReason(reason)
                    .withMessage(message)
                    .build()));
  }

  /**
   * One bound guest: virt-launcher's agent data and safety-unfreeze timer, virt-handler's last
   * report.
   */
  private final class Guest {
    private final String namespace;
    private final String name;
    private final KubeVirtGuestBackend backend;
    private final List<KubeVirtGuestBackend.Filesystem> filesystems;
    private final String agentVersion;
    private ScheduledFuture<?> poller;
    private ScheduledFuture<?> autoThaw;
    private volatile boolean reportedFrozen;

    Guest(String namespace, String name, KubeVirtGuestBackend backend) {
      this.namespace = namespace;
      this.name = name;
      this.backend = backend;
      synchronized (backend) {
        this.filesystems = List.copyOf(backend.filesystems());
        this.agentVersion = backend.agentVersion();
      }
    }

    MockResponse freeze(Duration unfreezeTimeout) {
      synchronized (backend) {
        try {
          if (backend.frozen()) {
            return ok(); // idempotent, as virt-launcher: the running timer stays as it is
          }
          backend.freeze();
        } catch (RuntimeException e) {
          return internal("Failed to freeze VMI: " + e.getMessage());
        }
        cancelAutoThaw();
        if (!unfreezeTimeout.isZero()) {
          autoThaw =
              timers.schedule(this::autoThaw, unfreezeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return ok();
      }
    }

    MockResponse unfreeze() {
      synchronized (backend) {
        cancelAutoThaw();
        try {
          if (!backend.frozen()) {
            return ok(); // no thaw of a thawed guest (it would rerun the thaw hooks)
          }
          backend.thaw();
          return ok();
        } catch (RuntimeException e) {
          return internal("Failed to unfreeze VMI: " + e.getMessage());
        }
      }
    }

    private void autoThaw() {
      synchronized (backend) {
        autoThaw = null;
        try {
          if (backend.frozen()) {
            backend.thaw();
          }
        } catch (RuntimeException e) {
          // virt-launcher only logs it
        }
      }
    }

    private void cancelAutoThaw() {
      if (autoThaw != null) {
        autoThaw.cancel(false);
        autoThaw = null;
      }
    }

    /**
     * virt-launcher's poll of {@code guest-fsfreeze-status}, and virt-handler's update of the VMI.
     */
    void pollFreezeStatus() {
      boolean frozen;
      synchronized (backend) {
        try {
          frozen = backend.frozen();
        } catch (RuntimeException e) {
          return; // agent unavailable: KubeVirt keeps the last value
        }
      }
      if (frozen == reportedFrozen) {
        return;
      }
      try {
        Map<String, Object> status = new HashMap<>();
        status.put("fsFreezeStatus", frozen ? "frozen" : null); // null removes it
        client
            .resources(VirtualMachineInstance.class)
            .inNamespace(namespace)
            .withName(name)
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("status", status)));
        reportedFrozen = frozen;
      } catch (KubernetesClientException e) {
        // the VMI is gone or the server stops; the next poll tries again
      }
    }

    List<Map<String, Object>> filesystemJson() {
      List<Map<String, Object>> items = new ArrayList<>();
      for (KubeVirtGuestBackend.Filesystem fs : filesystems) {
        Map<String, Object> item = new HashMap<>();
        item.put("diskName", fs.name());
        item.put("mountPoint", fs.mountpoint());
        item.put("fileSystemType", fs.type());
        item.put("usedBytes", 0);
        item.put("totalBytes", 0);
        items.add(item);
      }
      return items;
    }

    void stop() {
      if (poller != null) {
        poller.cancel(false);
      }
      synchronized (backend) {
        cancelAutoThaw();
      }
    }

    private MockResponse ok() {
      return new MockResponse().setResponseCode(200).setBody("");
    }
  }
}
