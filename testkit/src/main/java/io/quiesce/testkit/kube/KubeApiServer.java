package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.quiesce.kube.TypedKinds;
import io.quiesce.testkit.kube.kubevirt.FakeKubeVirtApi;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-JVM Kubernetes API server for tests: fabric8's mock server in CRUD mode with {@link
 * KubeApiDispatcher}, started with every CRD of {@link ClusterCrds} registered.
 *
 * <p>Thread-safe. Clients use the JDK HTTP client. Close it to stop the server and its clients.
 */
public final class KubeApiServer implements AutoCloseable {

  /**
   * MockWebServer logs every request at INFO through java.util.logging; held so the level sticks.
   */
  private static final Logger REQUEST_LOG = Logger.getLogger(MockWebServer.class.getName());

  static {
    REQUEST_LOG.setLevel(Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubeApiDispatcher dispatcher;
  private final KubernetesClient client;
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
  private final AtomicInteger namespaces = new AtomicInteger();
  private FakeKubeVirtApi kubeVirt;
  private HttpEndpoint http;

  private KubeApiServer(KubernetesMockServer server, KubeApiDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = newClient();
  }

  /** Starts a server with every CRD of {@link ClusterCrds} registered. */
  public static KubeApiServer start() {
    return start(ClusterCrds.all());
  }

  /** Starts a server with the given CRDs registered. */
  public static KubeApiServer start(List<CustomResourceDefinition> crds) {
    return start(crds, false);
  }

  /**
   * Starts a server with every CRD registered that serves HTTPS (a self-signed certificate: clients
   * need {@code kubernetes.trust.certificates=true}), as a real API server does.
   */
  public static KubeApiServer startHttps() {
    return start(ClusterCrds.all(), true);
  }

  private static KubeApiServer start(List<CustomResourceDefinition> crds, boolean https) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    KubeApiDispatcher dispatcher = new KubeApiDispatcher(expectations);
    MockWebServer http = new MockWebServer();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()), http, expectations, dispatcher, https);
    // the schemas the server validates custom resources with, compiled before any request waits on
    // them
    crds.forEach(crd -> ApiCatalog.precompile(Serialization.jsonMapper().valueToTree(crd)));
    int loops = https ? 1 : EventLoops.wanted();
    if (loops > 1) {
      // a port of its own choosing: Vert.x shares a listening socket between servers only when
      // it was not bound to port 0
      EventLoops.start(server, http, dispatcher, loops);
    } else {
      server.init();
    }
    KubeApiServer api = new KubeApiServer(server, dispatcher);
    try {
      // created through the API, as on a real cluster, so status subresources take effect
      crds.forEach(crd -> api.createCrd(crd));
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
    return api;
  }

  /**
   * Creates a CRD; a 409 is the client's retry of a POST that timed out on a loaded machine (seen
   * at load 40-58 on 2 cores, the event loop busy for seconds), whose first attempt created it.
   */
  private void createCrd(CustomResourceDefinition crd) {
    try {
      client.resource(crd).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** A client shared by the test; closed with the server. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client of its own (e.g. for an operator under test, which may close it). Closed with the
   * server if still open.
   */
  public KubernetesClient newClient() {
    KubernetesClient created =
        server.createClient(b -> b.withHttpClientFactory(new JdkHttpClientFactory()));
    clients.add(TypedKinds.registerWith(created));
    return created;
  }

  /**
   * A new client of its own that sends this {@code User-Agent}, so that {@link #requests()} tells
   * its requests apart.
   */
  public KubernetesClient newClient(String userAgent) {
    return newClient(userAgent, false);
  }

  /**
   * The same over HTTP/1.1 (keep-alive connections, one request at a time each), for the test's own
   * FAKE components: fabric8's JDK client otherwise upgrades to HTTP/2, whose frames, header
   * compression and flow control cost this server's one event loop about four times the transport
   * CPU per request of HTTP/1.1 (JFR of the scale bench). Clients under test keep HTTP/2, as they
   * speak it to a real API server.
   */
  public KubernetesClient newHttp1Client(String userAgent) {
    return newClient(userAgent, true);
  }

  private KubernetesClient newClient(String userAgent, boolean http2Disabled) {
    KubernetesClient created =
        server.createClient(
            b ->
                b.withHttpClientFactory(new JdkHttpClientFactory())
                    .editOrNewConfig()
                    .withUserAgent(userAgent)
                    .withHttp2Disable(http2Disabled)
                    .endConfig());
    clients.add(TypedKinds.registerWith(created));
    return created;
  }

  /** Creates a namespace with a name unique on this server, starting with the given prefix. */
  public String createNamespace(String prefix) {
    String name = prefix + "-" + namespaces.incrementAndGet();
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * The underlying fabric8 mock server, to record failure expectations ({@code
   * mockServer().expect().post().withPath(...).andReturn(500, ...).once()}) or to count requests.
   */
  public KubernetesMockServer mockServer() {
    return server;
  }

  /** The dispatcher that answers every request (for tests of this package). */
  KubeApiDispatcher dispatcher() {
    return dispatcher;
  }

  /** The requests this server has answered, by client ({@code User-Agent}), verb and resource. */
  public ApiRequestCounter requests() {
    return dispatcher.requests();
  }

  /**
   * The paths of the watches registered so far (closed ones too), in order: a watch sees every
   * change made after it is registered, while one only counted in {@link #requests()} may still be
   * opening.
   */
  public List<String> registeredWatches() {
    return dispatcher.registeredWatches();
  }

  /**
   * The FAKE of KubeVirt's freeze, unfreeze, filesystemlist and guestosinfo subresources, served
   * from the first call on; bind each VMI to its guest ({@link FakeKubeVirtApi#bind}).
   */
  public synchronized FakeKubeVirtApi kubeVirt() {
    if (kubeVirt == null) {
      kubeVirt = new FakeKubeVirtApi(dispatcher::storedObject, newClient("fake-virt-handler"));
      dispatcher.serveKubeVirtSubresources(kubeVirt::handle);
    }
    return kubeVirt;
  }

  /**
   * The URL to give kubectl and helm ({@code http://127.0.0.1:<port>}): this server's store and
   * rules over plain HTTP/1.1 with streamed watches, as kube-apiserver serves them (see {@link
   * HttpEndpoint}).
   */
  public synchronized String kubectlUrl() {
    if (http == null) {
      http = new HttpEndpoint(dispatcher);
    }
    return http.url();
  }

  /**
   * Writes a kubeconfig for {@link #kubectlUrl()} whose context uses this namespace; returns the
   * file.
   */
  public java.nio.file.Path writeKubeconfig(java.nio.file.Path file, String namespace)
      throws java.io.IOException {
    return Kubeconfigs.write(file, kubectlUrl(), namespace);
  }

  /**
   * The schema checks of custom-resource writes so far: how many, and the time they took in
   * nanoseconds.
   */
  public long[] schemaChecks() {
    return new long[] {dispatcher.admission().checks(), dispatcher.admission().nanos()};
  }

  /** URL of a path on this server, e.g. {@code url("/api/v1/namespaces")}. */
  public String url(String path) {
    return server.url(path);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (kubeVirt != null) {
        kubeVirt.close();
      }
      if (http != null) {
        http.close();
      }
    }
    clients.forEach(KubernetesClient::close);
    server.destroy();
  }
}
