package io.quiesce.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.GoDurations;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link KubeVirtFreezeApi} through the fabric8 client's own HTTP client (so authentication, TLS
 * and the API server address are the client's). Every call is bounded by {@code requestTimeout};
 * error answers are read for their status and a bounded piece of their text, and the lists the
 * guest agent fills are read up to {@link #MAX_FILESYSTEMS} entries (a guest controls them).
 */
public final class HttpKubeVirtFreezeApi implements KubeVirtFreezeApi {
  private static final String BASE = "apis/subresources.kubevirt.io/v1/namespaces/";
  private static final int MAX_ERROR_CHARS = 512;

  /** At most this many filesystems are read from an answer; more are not counted. */
  static final int MAX_FILESYSTEMS = 256;

  /** A guest's list of filesystems larger than this is refused whole. */
  private static final int MAX_BODY_CHARS = 256 * 1024;

  private final KubernetesClient client;
  private final Duration requestTimeout;

  /**
   * Calls KubeVirt with a client of its own made from {@code client}'s configuration, but that
   * never retries: fabric8 retries answers 429 and 5xx with backoff, and KubeVirt answers 500 when
   * the agent failed or the VMI migrates. A retried freeze could freeze later than the window
   * planned, and a retried report would outlast it.
   */
  public HttpKubeVirtFreezeApi(KubernetesClient client, Duration requestTimeout) {
    Config noRetry =
        new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    this.client = new KubernetesClientBuilder().withConfig(noRetry).build();
    this.requestTimeout = requestTimeout;
  }

  @Override
  public void freeze(String namespace, String name, Duration unfreezeTimeout)
      throws KubeVirtFreezeException {
    if (unfreezeTimeout.isZero() || unfreezeTimeout.isNegative()) {
      // 0 turns KubeVirt's automatic unfreeze off: never sent
      throw new IllegalArgumentException(
          "unfreezeTimeout must be positive, got " + unfreezeTimeout);
    }
    send(
        namespace,
        name,
        "freeze",
        Serialization.asJson(Map.of("unfreezeTimeout", GoDurations.format(unfreezeTimeout))));
  }

  @Override
  public void unfreeze(String namespace, String name) throws KubeVirtFreezeException {
    send(namespace, name, "unfreeze", "{}");
  }

  @Override
  public List<KubeVirtFilesystem> filesystemList(String namespace, String name)
      throws KubeVirtFreezeException {
    return filesystems(
        json(send(namespace, name, "filesystemlist", null), "filesystemlist").path("items"));
  }

  @Override
  public GuestAgentInfo guestOsInfo(String namespace, String name) throws KubeVirtFreezeException {
    JsonNode info = json(send(namespace, name, "guestosinfo", null), "guestosinfo");
    return new GuestAgentInfo(
        bounded(info.path("fsFreezeStatus").asText("")),
        filesystems(info.path("fsInfo").path("disks")));
  }

  private static List<KubeVirtFilesystem> filesystems(JsonNode items) {
    List<KubeVirtFilesystem> list = new ArrayList<>();
    for (JsonNode fs : items) {
      if (list.size() == MAX_FILESYSTEMS) {
        break;
      }
      list.add(
          new KubeVirtFilesystem(
              bounded(fs.path("diskName").asText("")),
              bounded(fs.path("mountPoint").asText("")),
              bounded(fs.path("fileSystemType").asText(""))));
    }
    return list;
  }

  private static JsonNode json(String body, String what) throws KubeVirtFreezeException {
    if (body.length() > MAX_BODY_CHARS) {
      throw new KubeVirtFreezeException(
          what + " answered " + body.length() + " characters, more than " + MAX_BODY_CHARS, null);
    }
    try {
      return Serialization.jsonMapper().readTree(body);
    } catch (Exception e) {
      throw new KubeVirtFreezeException(what + " answered no JSON: " + bounded(body), e);
    }
  }

  /** PUT when {@code body} is given, else GET; the answer's text on success. */
  private String send(String namespace, String name, String verb, String body)
      throws KubeVirtFreezeException {
    // namespace and name come from the API (DNS names); encoded anyway so they stay one path
    // segment each
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/"
            + BASE
            + segment(namespace)
            + "/virtualmachineinstances/"
            + segment(name)
            + "/"
            + verb;
    HttpClient http = client.getHttpClient();
    HttpRequest.Builder builder =
        http.newHttpRequestBuilder()
            .uri(url)
            .timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    HttpRequest request =
        body == null ? builder.build() : builder.put("application/json", body).build();
    try {
      HttpResponse<String> response =
          http.sendAsync(request, String.class)
              .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
      String text = response.body() == null ? "" : response.body();
      if (!response.isSuccessful()) {
        throw new KubeVirtFreezeException(
            verb
                + " of VirtualMachineInstance "
                + namespace
                + "/"
                + name
                + " answered "
                + response.code()
                + ": "
                + bounded(text),
            null);
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubeVirtFreezeException(verb + " interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubeVirtFreezeException(
          verb + " of VirtualMachineInstance " + namespace + "/" + name + " failed: " + e, e);
    }
  }

  /**
   * At most a few hundred characters, without control characters (a guest may have written them).
   */
  private static String bounded(String s) {
    String cut = s.length() > MAX_ERROR_CHARS ? s.substring(0, MAX_ERROR_CHARS) : s;
    return cut.replaceAll("\\p{Cntrl}", " ");
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
