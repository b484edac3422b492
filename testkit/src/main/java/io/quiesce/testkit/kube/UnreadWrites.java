package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * Writes of a FAKE component that never reads their answers: the request fabric8 sends for the same
 * write (verb, path, body, content type, the client's {@code User-Agent}, interceptors and retries,
 * through the client's own HTTP client), without decoding the answer into an object that is thrown
 * away. The fakes' status patches and creates decoded each answer (the whole object) on the
 * client's threads: about 6 % of the scale bench JVM's CPU in a fire.
 */
public final class UnreadWrites {
  private static final String JSON = "application/json";
  private static final String MERGE_PATCH = "application/merge-patch+json";

  private final KubernetesClient client;
  private final String apiRoot;

  public UnreadWrites(KubernetesClient client) {
    this.client = client;
    String master = client.getConfiguration().getMasterUrl();
    this.apiRoot = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
  }

  /** POSTs {@code object} to its collection; a 409 (it exists) throws, as fabric8's create. */
  public void create(HasMetadata object) {
    send("POST", path(object, false, null), JSON, body(object));
  }

  /** PUTs {@code object} (with its resourceVersion: a stale one gets a 409, as an update). */
  public void update(HasMetadata object) {
    send("PUT", path(object, true, null), JSON, body(object));
  }

  /**
   * A JSON merge patch of {@code object}'s {@code subresource} (null for the object itself); only
   * its kind, namespace and name are read.
   */
  public void mergePatch(HasMetadata object, String subresource, String patch) {
    send("PATCH", path(object, true, subresource), MERGE_PATCH, patch);
  }

  private String body(HasMetadata object) {
    return client.getKubernetesSerialization().asJson(object);
  }

  private String path(HasMetadata object, boolean named, String subresource) {
    String apiVersion = object.getApiVersion();
    StringBuilder path =
        new StringBuilder(apiRoot).append(apiVersion.contains("/") ? "/apis/" : "/api/");
    path.append(apiVersion);
    String namespace = object.getMetadata().getNamespace();
    if (namespace != null) {
      path.append("/namespaces/").append(namespace);
    }
    path.append('/').append(object.getPlural());
    if (named) {
      path.append('/').append(object.getMetadata().getName());
    }
    if (subresource != null) {
      path.append('/').append(subresource);
    }
    return path.toString();
  }

  private void send(String method, String uri, String contentType, String body) {
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(uri)
            .method(method, contentType, body)
            .build();
    HttpResponse<byte[]> response;
    try {
      response = client.getHttpClient().sendAsync(request, byte[].class).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KubernetesClientException.launderThrowable(new InterruptedIOException(uri));
    } catch (ExecutionException e) {
      throw KubernetesClientException.launderThrowable(e.getCause());
    }
    if (!response.isSuccessful()) {
      byte[] answer = response.body();
      throw new KubernetesClientException(
          method
              + " "
              + uri
              + ": "
              + response.code()
              + (answer == null ? "" : " " + new String(answer, StandardCharsets.UTF_8)),
          response.code(),
          null);
    }
  }
}
