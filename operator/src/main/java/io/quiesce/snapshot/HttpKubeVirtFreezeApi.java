package io.quiesce.snapshot;

import io.quiesce.api.GoDurations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link KubeVirtFreezeApi} through the fabric8 client's own HTTP client (so authentication, TLS
 * and the API server address are the client's). Every call is bounded by {@code requestTimeout};
 * answers are read only for their status and a bounded piece of their text.
 */
public final class HttpKubeVirtFreezeApi implements KubeVirtFreezeApi {
    private static final String BASE = "apis/subresources.kubevirt.io/v1/namespaces/";
    private static final int MAX_ERROR_CHARS = 512;

    private final KubernetesClient client;
    private final Duration requestTimeout;

    public HttpKubeVirtFreezeApi(KubernetesClient client, Duration requestTimeout) {
        this.client = client;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void freeze(String namespace, String name, Duration unfreezeTimeout) throws KubeVirtFreezeException {
        put(namespace, name, "freeze",
                Serialization.asJson(Map.of("unfreezeTimeout", GoDurations.format(unfreezeTimeout))));
    }

    @Override
    public void unfreeze(String namespace, String name) throws KubeVirtFreezeException {
        put(namespace, name, "unfreeze", "{}");
    }

    private void put(String namespace, String name, String verb, String body) throws KubeVirtFreezeException {
        // namespace and name come from the API (DNS names); encoded anyway so they stay one path segment each
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/" + BASE + segment(namespace)
                + "/virtualmachineinstances/" + segment(name) + "/" + verb;
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(url).put("application/json", body)
                .timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).build();
        try {
            HttpResponse<String> response = http.sendAsync(request, String.class)
                    .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!response.isSuccessful()) {
                String text = response.body() == null ? "" : response.body();
                throw new KubeVirtFreezeException(verb + " of VirtualMachineInstance " + namespace + "/" + name
                        + " answered " + response.code() + ": "
                        + text.substring(0, Math.min(MAX_ERROR_CHARS, text.length())), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubeVirtFreezeException(verb + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubeVirtFreezeException(verb + " of VirtualMachineInstance " + namespace + "/" + name
                    + " failed: " + e, e);
        }
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
