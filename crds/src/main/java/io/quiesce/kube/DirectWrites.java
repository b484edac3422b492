package io.quiesce.kube;

import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The hot writes (a QuiescedSnapshot's merge patches, an Event's create, a slot Lease's update),
 * each one request on the client's own HTTP client (its credentials, User-Agent and retries) with a
 * body serialized once. fabric8's resource DSL, per write, rebuilds the request URL (regexes in
 * {@code URLUtils.join}), copies the object the resource was built from (a JSON round trip) and
 * reads a patch given as text into a tree to write it out again: about a third of the operator's
 * CPU per status write in a 1,000-VM fire. A refusal is fabric8's: a {@link
 * KubernetesClientException} with the reply's code and Status.
 */
public final class DirectWrites {
  private static final String MERGE_PATCH = "application/merge-patch+json";
  private static final String JSON = "application/json";

  private final HttpClient http;
  private final KubernetesSerialization serialization;
  private final String master;
  private final long timeoutMs;

  /** Per kind, the collection's path up to {@code namespaces/}, and its plural. */
  private final Map<Class<?>, String[]> kinds = new ConcurrentHashMap<>();

  public DirectWrites(KubernetesClient client) {
    this.http = client.getHttpClient();
    this.serialization = client.getKubernetesSerialization();
    String url = client.getMasterUrl().toString();
    this.master = url.endsWith("/") ? url : url + "/";
    this.timeoutMs = client.getConfiguration().getRequestTimeout();
  }

  /**
   * The URL of an object of {@code kind} (or of its {@code subresource}, when not null). Names come
   * from the API server (DNS names), so they are path segments as they are.
   */
  public String url(
      Class<? extends HasMetadata> kind, String namespace, String name, String subresource) {
    String[] prefix =
        kinds.computeIfAbsent(
            kind,
            k -> {
              String apiVersion = HasMetadata.getApiVersion(kind);
              return new String[] {
                master
                    + (apiVersion.contains("/") ? "apis/" : "api/")
                    + apiVersion
                    + "/namespaces/",
                "/" + HasMetadata.getPlural(kind)
              };
            });
    String object = prefix[0] + namespace + prefix[1] + (name == null ? "" : "/" + name);
    return subresource == null ? object : object + "/" + subresource;
  }

  /** A JSON merge patch; the object the API server stored. */
  public <T> T mergePatch(String url, String json, Class<T> type) {
    return serialization.unmarshal(new ByteArrayInputStream(mergePatch(url, json)), type);
  }

  /**
   * A JSON merge patch; the object the API server stored, read by {@code reader} straight from the
   * reply's bytes (a reader of fewer fields reads the copy a cache keeps).
   */
  public <T> T mergePatch(String url, String json, ObjectReader reader) {
    try {
      return reader.readValue(mergePatch(url, json));
    } catch (IOException e) {
      throw KubernetesClientException.launderThrowable(e);
    }
  }

  private byte[] mergePatch(String url, String json) {
    return send(http.newHttpRequestBuilder().uri(url).patch(MERGE_PATCH, json).build());
  }

  /**
   * An update ({@code PUT}) of the whole object, a compare-and-swap when it carries a
   * resourceVersion; the object the API server stored.
   */
  public <T extends HasMetadata> T update(T object) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) object.getClass();
    String url =
        url(type, object.getMetadata().getNamespace(), object.getMetadata().getName(), null);
    byte[] reply =
        send(http.newHttpRequestBuilder().uri(url).put(JSON, serialization.asJson(object)).build());
    return serialization.unmarshal(new ByteArrayInputStream(reply), type);
  }

  /** A create ({@code POST} to the collection's {@code url}); the reply is not read. */
  public void create(String url, Object object) {
    send(
        http.newHttpRequestBuilder()
            .uri(url)
            .post(JSON, serialization.asJson(object).getBytes(StandardCharsets.UTF_8))
            .build());
  }

  private byte[] send(HttpRequest request) {
    HttpResponse<byte[]> response;
    var reply = http.sendAsync(request, byte[].class);
    try {
      response = timeoutMs > 0 ? reply.get(timeoutMs, TimeUnit.MILLISECONDS) : reply.get();
    } catch (InterruptedException e) {
      reply.cancel(true);
      Thread.currentThread().interrupt();
      throw new KubernetesClientException(
          request.method() + " " + request.uri() + " interrupted", e);
    } catch (ExecutionException e) {
      throw KubernetesClientException.launderThrowable(e.getCause());
    } catch (TimeoutException e) {
      reply.cancel(true); // as fabric8 does: the exchange is given up
      throw new KubernetesClientException(request.method() + " " + request.uri() + " timed out", e);
    }
    if (!response.isSuccessful()) {
      throw new KubernetesClientException(status(response));
    }
    return response.body();
  }

  /** The API server's Status of a refusal; one made of the code when the reply is none. */
  private Status status(HttpResponse<byte[]> response) {
    String body =
        response.body() == null ? "" : new String(response.body(), StandardCharsets.UTF_8);
    try {
      Status status = serialization.unmarshal(body, Status.class);
      if (status != null && status.getCode() != null) {
        return status;
      }
    } catch (RuntimeException e) {
      // not a Status: the code and the text say what there is to say
    }
    return new StatusBuilder()
        .withCode(response.code())
        .withMessage(response.request().method() + " " + response.request().uri() + ": " + body)
        .build();
  }
}
