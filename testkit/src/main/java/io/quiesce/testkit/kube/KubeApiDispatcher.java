package io.quiesce.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.quiesce.api.CrdSchema;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * fabric8's CRUD dispatcher made to behave like a real API server where Quiesce depends on it:
 * every patch type, status subresource rules, server-owned metadata, generation, resourceVersion
 * preconditions, finalizers, set-based selectors and watches that close cleanly. See {@code
 * testkit/README.md} for each rule and why it is also what a real server does.
 *
 * <p>Each write is worked out here ({@link Patches}, {@link ObjectUpdate}) and then stored through
 * the parent's PUT or POST handler, so that the stored state stays the parent's; lookups go through
 * {@link StoreIndex} instead of the parent's scans of the whole store. Writes are serialized by
 * {@link #writes}, so nothing changes between reading the stored object and storing the result.
 * Requests for which a test recorded an expectation ({@code mockServer().expect()...}) are answered
 * from it, as in fabric8's mixed mode.
 */
public class KubeApiDispatcher extends KubernetesCrudDispatcher {

  private static final String CRD_COLLECTION =
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  /** Paths of CRDs (any version), which the parent's store also registers as kinds. */
  private static final String CRD_GROUP_PATH = "/apis/apiextensions.k8s.io/";

  /** Built-in kinds whose status is a subresource on a real API server. */
  private static final Set<String> BUILT_IN_STATUS_SUBRESOURCES =
      Set.of(
          "pods",
          "persistentvolumeclaims",
          "persistentvolumes",
          "nodes",
          "namespaces",
          "services",
          "replicationcontrollers",
          "resourcequotas",
          "deployments.apps",
          "statefulsets.apps",
          "daemonsets.apps",
          "replicasets.apps",
          "jobs.batch",
          "cronjobs.batch",
          "poddisruptionbudgets.policy",
          "horizontalpodautoscalers.autoscaling",
          "ingresses.networking.k8s.io",
          "volumeattachments.storage.k8s.io",
          "certificatesigningrequests.certificates.k8s.io");

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expectationDispatcher;

  /** Held by every write; watches register under it too (see {@link WatchStreams}). */
  private final ReentrantLock writes = new ReentrantLock();

  private final StoreIndex index = new StoreIndex(map);

  /** Parsed trees of the objects stored from one; guarded by {@link #writes}. */
  private final ParsedObjects parsed = new ParsedObjects();

  /** What {@link #store} is storing, for {@link #processEvent}; guarded by {@link #writes}. */
  private ParsedObjects.Parsed storing;

  /**
   * The schema whose checks the object the parent is creating passed, for {@link #processEvent};
   * guarded by {@link #writes}.
   */
  private CrdSchema creating;

  /**
   * The parent's resourceVersion counter, which it puts on lists; private there, read here so lists
   * stay the same.
   */
  private final AtomicLong parentResourceVersion = parentResourceVersion();

  private final WatchStreams watches = new WatchStreams(writes, index);

  /**
   * The parent's keys of the paths seen (it parses a path for each, twice per write); emptied when
   * a CRD comes or goes, as its kind and scope shape the keys, and when it grows large.
   */
  private final Map<String, AttributeSet> keys = new ConcurrentHashMap<>();

  private static final int KEYS_KEPT = 10_000;

  /**
   * Counts the times {@link #keys} was emptied for a CRD, so a key worked out before is dropped.
   */
  private final AtomicLong keysEpoch = new AtomicLong();

  /**
   * Whether each resource ({@code /apis/group/version/plural}) has a status subresource; emptied
   * with {@link #keys}.
   */
  private final Map<String, Boolean> statusSubresources = new ConcurrentHashMap<>();

  /** Names ({@code plural.group}) of the CRDs created so far. */
  private final Set<String> customResources = ConcurrentHashMap.newKeySet();

  private final ApiRequestCounter requests = new ApiRequestCounter();
  private static final String KUBEVIRT_SUBRESOURCES = "/apis/subresources.kubevirt.io/";
  private volatile Function<RecordedRequest, MockResponse> kubeVirtSubresources;

  /**
   * What kubectl and helm need beyond CRUD: discovery, OpenAPI, Tables, list options, schema
   * checks.
   */
  private final ApiCatalog catalog = new ApiCatalog();

  private final DiscoveryEndpoints discovery = new DiscoveryEndpoints(catalog);
  private final OpenApiEndpoints openApi = new OpenApiEndpoints(catalog);
  private final TableFormat tables = new TableFormat(java.time.Clock.systemUTC());
  private final SchemaAdmission admission = new SchemaAdmission();

  /**
   * @param expectations the mock server's recorded expectations, answered before any CRUD handling
   */
  public KubeApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    this.expectations = expectations;
    this.expectationDispatcher = new MockDispatcher(expectations);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.count(request.getMethod(), request.getPath(), request.getHeader("User-Agent"));
    Queue<ServerResponse> expected =
        expectations.get(
            new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
    if (expected != null && !expected.isEmpty()) {
      return expectationDispatcher.dispatch(request);
    }
    Function<RecordedRequest, MockResponse> aggregated = kubeVirtSubresources;
    if (aggregated != null && request.getPath().startsWith(KUBEVIRT_SUBRESOURCES)) {
      return aggregated.apply(request);
    }
    String contentType = request.getHeader("Content-Type");
    if (contentType != null && contentType.startsWith("application/vnd.kubernetes.protobuf")) {
      // client-go's typed clients (helm's release Secrets, kubectl create namespace) send protobuf
      Optional<ObjectNode> json = ProtobufBodies.toJson(request.getBody().getBytes());
      if (json.isEmpty()) {
        return new ApiStatusException(
                415,
                "UnsupportedMediaType",
                "the test API server reads protobuf"
                    + " only for Secrets, ConfigMaps and Namespaces; send JSON (kubectl apply -f)")
            .toResponse();
      }
      return dispatch(
          new RecordedRequest(
              "HTTP/1.1",
              HttpMethod.valueOf(request.getMethod()),
              request.getPath(),
              Headers.builder().add("Content-Type", "application/json").build(),
              new Buffer(json.get().toString().getBytes(StandardCharsets.UTF_8))));
    }
    if (request.getMethod().equals("GET")) {
      Optional<MockResponse> described =
          discovery
              .answer(request.getPath(), request.getHeader("Accept"))
              .or(() -> openApi.answer(request.getPath(), request.getHeader("Accept")));
      if (described.isPresent()) {
        return described.get();
      }
      Optional<ResourcePath> read =
          ResourcePath.parse(request.getPath())
              .filter(p -> p.queryParameter("watch").filter("true"::equals).isEmpty());
      if (read.isPresent()) {
        return ReadOptions.answer(
            read.get(),
            request,
            catalog,
            tables,
            path -> super.dispatch(request(HttpMethod.GET, path, "")));
      }
    }
    return super.dispatch(request);
  }

  @Override
  public AttributeSet getKey(String path) {
    AttributeSet key = keys.get(path);
    if (key == null) {
      long epoch = keysEpoch.get();
      key = super.getKey(path);
      if (keys.size() >= KEYS_KEPT) {
        keys.clear();
      }
      keys.put(path, key);
      if (keysEpoch.get() != epoch) {
        keys.remove(path); // a CRD came or went meanwhile
      }
    }
    return key;
  }

  /** Forgets the keys worked out so far (a CRD came, changed or went). */
  private void forgetKeys() {
    keysEpoch.incrementAndGet();
    keys.clear();
    statusSubresources.clear();
  }

  /** The resources this server serves (built-ins and every CRD created on it). */
  ApiCatalog catalog() {
    return catalog;
  }

  /** The schema checks of writes so far: count and time. */
  SchemaAdmission admission() {
    return admission;
  }

  /**
   * Serves KubeVirt's aggregated API ({@code /apis/subresources.kubevirt.io/...}) with this
   * handler, as virt-api does behind a real API server (without one, those paths are not found).
   */
  public void serveKubeVirtSubresources(Function<RecordedRequest, MockResponse> handler) {
    this.kubeVirtSubresources = handler;
  }

  /**
   * The stored object at an object path such as {@code
   * /apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm}.
   */
  public Optional<ObjectNode> storedObject(String objectPath) {
    Optional<ResourcePath> path = ResourcePath.parse(objectPath).filter(p -> p.name() != null);
    if (path.isEmpty()) {
      return Optional.empty();
    }
    writes.lock(); // a consistent view: no write half done
    try {
      return read(path.get()).map(stored -> stored.object().deepCopy());
    } finally {
      writes.unlock();
    }
  }

  /** Every request answered so far, by client, verb and resource. */
  public ApiRequestCounter requests() {
    return requests;
  }

  @Override
  public MockResponse handleGet(String path) {
    Optional<ResourcePath> parsed = ResourcePath.parse(path);
    boolean watch =
        parsed.flatMap(p -> p.queryParameter("watch")).filter("true"::equals).isPresent();
    AttributeSet query = getKey(path);
    MockResponse response = !watch && StoreIndex.narrows(query) ? indexedGet(query) : null;
    if (response == null && !watch) {
      // under the write lock, as the indexed answer: a list's resourceVersion must not count a
      // write whose object is not stored yet, or a watch from it would miss that change
      writes.lock();
      try {
        response = super.handleGet(path);
      } finally {
        writes.unlock();
      }
    } else if (response == null) {
      response = super.handleGet(path);
    }
    MockResponse answer = response;
    return parsed
        .filter(p -> p.name() == null && !watch)
        .flatMap(p -> p.queryParameter("labelSelector"))
        .map(selector -> LabelSelector.filterList(answer, selector))
        .orElse(answer);
  }

  /**
   * A get or list of one resource answered from the index, as the parent answers it; null for an
   * empty list, which the parent may answer with API discovery instead.
   */
  private MockResponse indexedGet(AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> found;
    String listVersion;
    writes.lock(); // a consistent view: no write half done, and the version of exactly this view
    try {
      found = index.matching(query);
      listVersion = listResourceVersion();
    } finally {
      writes.unlock();
    }
    if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
      return found.isEmpty()
          ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(found.get(0).getValue());
    }
    if (found.isEmpty()) {
      return null;
    }
    List<String> items = found.stream().map(Map.Entry::getValue).toList();
    return new MockResponse()
        .setResponseCode(200)
        .setBody(((KubernetesResponseComposer) responseComposer).compose(items, listVersion));
  }

  /**
   * The stored object matching the attributes, from the index (the parent scans the whole store).
   */
  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    return index.first(attributes);
  }

  private String listResourceVersion() {
    return String.valueOf(parentResourceVersion.get());
  }

  private AtomicLong parentResourceVersion() {
    try {
      Field field = KubernetesCrudDispatcher.class.getDeclaredField("resourceVersion");
      field.setAccessible(true);
      return (AtomicLong) field.get(this);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "fabric8's KubernetesCrudDispatcher has no resourceVersion counter any more", e);
    }
  }

  @Override
  public void reset() {
    writes.lock();
    try {
      super.reset();
      index.clear();
      parsed.clear();
      forgetKeys();
      watches.clearHistory();
    } finally {
      writes.unlock();
    }
  }

  /**
   * A watch; from the given {@code resourceVersion} unless it is absent or {@code 0} or initial
   * events are asked for (see {@link WatchStreams}).
   */
  @Override
  public MockResponse handleWatch(String path) {
    Optional<ResourcePath> parsed = ResourcePath.parse(path);
    String labelSelector = parsed.flatMap(p -> p.queryParameter("labelSelector")).orElse(null);
    boolean initialEvents =
        parsed
            .flatMap(p -> p.queryParameter("sendInitialEvents"))
            .filter("true"::equals)
            .isPresent();
    Long from =
        initialEvents
            ? null
            : parsed
                .flatMap(p -> p.queryParameter("resourceVersion"))
                .filter(v -> v.matches("[0-9]{1,18}") && !v.equals("0"))
                .map(Long::valueOf)
                .orElse(null);
    return new MockResponse()
        .withWebSocketUpgrade(watches.open(path, getKey(path), labelSelector, from));
  }

  /** Keeps this many changes per resource type for watches from a version (for tests). */
  void watchHistory(int limit) {
    watches.historyLimit(limit);
  }

  /** Ends every open watch, as kube-apiserver does at a watch's timeout (for tests). */
  void endWatches() {
    watches.endAll();
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    String body = request.getBody().readUtf8();
    if (request.getPath().startsWith(RULES_REVIEWS)) {
      return rulesReview(body);
    }
    Optional<ResourcePath> parsed = ResourcePath.parse(request.getPath());
    String path = parsed.map(ResourcePath::withoutQuery).orElse(request.getPath());
    writes.lock();
    try {
      ObjectNode object = null;
      if (parsed.isPresent()) {
        object =
            admitted(
                parsed.get(),
                ObjectUpdate.withGeneratedName(RequestBodies.object(body)),
                null,
                null);
      }
      MockResponse response =
          parsed.isPresent()
              ? created(parsed.get(), object, schemaOf(parsed.get()))
              : created(path, body, null);
      if (path.equals(CRD_COLLECTION) && response.code() == 201) {
        // the admitted object (not serialized again for every create: only CRDs need it here)
        ObjectNode crd = object != null ? object : RequestBodies.object(body);
        customResources.add(crd.path("metadata").path("name").asText());
        catalog.register(crd);
        forgetKeys();
      }
      return response;
    } catch (ApiStatusException e) {
      return e.toResponse();
    } finally {
      writes.unlock();
    }
  }

  /** Where a client asks what it may do (JOSDK does before it takes part in leader election). */
  private static final String RULES_REVIEWS =
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  /**
   * A SelfSubjectRulesReview answered as kube-apiserver answers one (created, not stored; its
   * metadata optional): this test server authorizes everything, so every verb on every resource.
   */
  private static MockResponse rulesReview(String body) {
    ObjectNode review;
    try {
      review = RequestBodies.object(body);
    } catch (ApiStatusException e) {
      return e.toResponse();
    }
    ObjectNode rule = review.objectNode();
    rule.putArray("verbs").add("*");
    rule.putArray("apiGroups").add("*");
    rule.putArray("resources").add("*");
    ObjectNode status = review.putObject("status");
    status.putArray("resourceRules").add(rule);
    status.putArray("nonResourceRules");
    status.put("incomplete", false);
    return new MockResponse().setResponseCode(201).setBody(review.toString());
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    Optional<ResourcePath> parsed =
        ResourcePath.parse(request.getPath()).filter(p -> p.name() != null);
    if (parsed.isEmpty()) {
      return methodNotAllowed();
    }
    ResourcePath path = parsed.get();
    String body = request.getBody().readUtf8();
    writes.lock();
    try {
      Stored current = read(path).orElseThrow(() -> notFound(path));
      ObjectNode requested = RequestBodies.object(body);
      if (isCustomResource(path)
          && requested.path("metadata").path("resourceVersion").asText("").isEmpty()) {
        // custom resources do not allow unconditional updates
        throw ApiStatusException.invalid(
            "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
      }
      return commit(path, current, requested);
    } catch (ApiStatusException e) {
      return e.toResponse();
    } finally {
      writes.unlock();
    }
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    Optional<ResourcePath> parsed =
        ResourcePath.parse(request.getPath()).filter(p -> p.name() != null);
    if (parsed.isEmpty()) {
      return methodNotAllowed();
    }
    ResourcePath path = parsed.get();
    String contentType = request.getHeader("Content-Type");
    String body = request.getBody().readUtf8();
    writes.lock();
    try {
      Optional<Stored> current = read(path);
      if (Patches.isApply(contentType)) {
        return apply(path, current, body);
      }
      Stored live = current.orElseThrow(() -> notFound(path));
      return commit(
          path, live, Patches.patched(contentType, live.object(), body, isCustomResource(path)));
    } catch (ApiStatusException e) {
      return e.toResponse();
    } finally {
      writes.unlock();
    }
  }

  @Override
  public MockResponse handleDelete(String rawPath) {
    Optional<ResourcePath> parsed = ResourcePath.parse(rawPath).filter(p -> p.name() != null);
    writes.lock();
    try {
      if (parsed.isEmpty()) {
        return super.handleDelete(rawPath);
      }
      ResourcePath path = parsed.get();
      Optional<Stored> current = read(path);
      if (current.isPresent() && ObjectUpdate.hasFinalizers(current.get().object())) {
        if (ObjectUpdate.isTerminating(current.get().object())) {
          return ok(current.get().object());
        }
        // finalizers pending: mark for deletion; the last finalizer removal deletes it
        return store(
            path, current.get(), ObjectUpdate.markedForDeletion(current.get().object()), null);
      }
      MockResponse response = super.handleDelete(path.withoutQuery());
      if (path.collectionPath().equals(CRD_COLLECTION) && response.code() == 200) {
        customResources.remove(path.name());
        catalog.remove(path.name());
        forgetKeys();
      }
      return response;
    } finally {
      writes.unlock();
    }
  }

  /**
   * Stores like the parent, then tells the watches; called by the parent's handlers under {@link
   * #writes}.
   */
  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    String existing;
    AttributeSet newKey;
    if (path.startsWith(CRD_GROUP_PATH)) {
      existing = oldAttributes == null ? null : map.get(oldAttributes);
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      newKey = newState == null ? null : storedKey(pathAttributes, resource, newState);
    } else {
      // the parent's store, less what does not apply here (its CRD bookkeeping; its watch
      // listeners: watches are WatchStreams'), so that the old state is looked up and the new key
      // worked out once each
      existing = oldAttributes == null ? null : map.remove(oldAttributes);
      newKey = newState == null ? null : storedKey(pathAttributes, resource, newState);
      if (newKey != null) {
        map.put(newKey, newState);
      }
    }
    index.moved(oldAttributes, newKey, newState);
    parsed.moved(oldAttributes, newKey, parsedState(oldAttributes, newState));
    storing = null;
    if (!Objects.equals(existing, newState)) {
      // a changed object has just taken the counter's next value; a deletion takes one of its own,
      // as on a real server, so that a list's version tells whether it came before or after it
      long version =
          newState == null ? parentResourceVersion.incrementAndGet() : parentResourceVersion.get();
      // the labels of the resource the parent stored from, so that label-selected watches need not
      // parse the new state for them
      Map<String, String> newLabels =
          newState == null || resource == null
              ? null
              : resource.getMetadata() == null || resource.getMetadata().getLabels() == null
                  ? Map.of()
                  : java.util.Collections.unmodifiableMap(resource.getMetadata().getLabels());
      watches.publish(version, oldAttributes, existing, newKey, newState, newLabels);
    } else if (existing != null) {
      watches.restated(existing, newState);
    }
  }

  @Override
  public boolean isStatusSubresourceEnabledForResource(String path) {
    Optional<ResourcePath> parsed = ResourcePath.parse(path);
    return parsed.isPresent()
        ? hasStatusSubresource(parsed.get())
        : super.isStatusSubresourceEnabledForResource(path);
  }

  /**
   * Whether the path's resource (in its group and version) has a status subresource; the parent's
   * answer is parsed from the path on each write, so it is kept per resource until a CRD comes,
   * changes or goes.
   */
  private boolean hasStatusSubresource(ResourcePath path) {
    return statusSubresources.computeIfAbsent(
        path.prefix() + "/" + path.plural(),
        k ->
            super.isStatusSubresourceEnabledForResource(path.collectionPath())
                || BUILT_IN_STATUS_SUBRESOURCES.contains(path.resourceName()));
  }

  /** {@link ObjectUpdate} has already set server-owned metadata; the parent must not redo it. */
  @Override
  public void preserveMetadata(JsonNode currentResource, JsonNode updatedResource) {
    // intentionally empty
  }

  /** {@link ObjectUpdate} has already moved the generation; the parent must not redo it. */
  @Override
  public void touchGeneration(JsonNode currentResource, JsonNode updatedResource) {
    // intentionally empty
  }

  /**
   * A new resourceVersion when the stored object changes, as the parent's, which finds out with a
   * JSON diff (a longest-common-subsequence search through every list: 9 % of a scale round's
   * server time); a deep equality answers the same question in one pass.
   */
  @Override
  public void touchResourceVersion(JsonNode currentResource, JsonNode updatedResource) {
    if (!currentResource.equals(updatedResource)) {
      ((ObjectNode) updatedResource.get("metadata"))
          .put("resourceVersion", String.valueOf(requestResourceVersion()));
    }
  }

  /** See {@link WatchStreams#registered()}. */
  List<String> registeredWatches() {
    return watches.registered();
  }

  @Override
  public void shutdown() {
    watches.closeAll();
    super.shutdown();
  }

  /** Server-side apply: creates a missing object, else merges the applied configuration. */
  private MockResponse apply(ResourcePath path, Optional<Stored> current, String body)
      throws ApiStatusException {
    if (path.queryParameter("fieldManager").filter(m -> !m.isEmpty()).isEmpty()) {
      throw ApiStatusException.invalid(
          "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value:"
              + " is required for apply patch");
    }
    ObjectNode applied = RequestBodies.appliedConfiguration(body);
    if (applied.path("apiVersion").asText("").isEmpty()
        || applied.path("kind").asText("").isEmpty()) {
      throw ApiStatusException.invalid(
          "apiVersion and kind must be set in an applied configuration");
    }
    if (current.isPresent()) {
      return commit(path, current.get(), Patches.apply(current.get().object(), applied));
    }
    if (path.isStatus()) {
      throw notFound(path);
    }
    checkName(path, applied);
    ObjectNode created = admitted(path, applied.deepCopy(), null, null);
    ((ObjectNode) created.get("metadata")).remove("resourceVersion");
    return created(path, created, schemaOf(path));
  }

  /** Stores what the request asks for, under the rules of {@link ObjectUpdate}. */
  private MockResponse commit(ResourcePath path, Stored stored, ObjectNode requested)
      throws ApiStatusException {
    checkName(path, requested);
    ObjectNode current = stored.object();
    ObjectNode update =
        ObjectUpdate.next(path, current, requested, path.isStatus(), hasStatusSubresource(path));
    CrdSchema schema = schemaOf(path);
    if (schema != null && schema != stored.passed()) {
      // the update may share subtrees with the stored object (see Patches#mergePatch), which
      // admission prunes and defaults in place where they did not pass this schema: a copy
      update = update.deepCopy();
    }
    ObjectNode next = admitted(path, update, current, stored.passed());
    if (path.collectionPath().equals(CRD_COLLECTION)) {
      catalog.register(next);
      forgetKeys();
    }
    if (next.equals(current)) {
      return ok(current);
    }
    if (ObjectUpdate.isTerminating(next) && !ObjectUpdate.hasFinalizers(next)) {
      // the last finalizer is gone: the parent's PUT deletes the object; the answer is its final
      // state
      store(path, stored, next, null);
      return ok(next);
    }
    return store(path, stored, next, schemaOf(path));
  }

  /**
   * The object to store after the API server's schema checks of its kind (see {@link
   * SchemaAdmission}).
   */
  private ObjectNode admitted(
      ResourcePath path, ObjectNode requested, ObjectNode old, CrdSchema oldPassed)
      throws ApiStatusException {
    Optional<ApiResource> resource = catalog.find(path);
    if (resource.isEmpty()) {
      return requested;
    }
    boolean strict = path.queryParameter("fieldValidation").filter("Strict"::equals).isPresent();
    CrdSchema schema = resource.get().validation();
    return admission.admit(
        resource.get(), requested, old, schema != null && schema == oldPassed, strict);
  }

  /**
   * The parent's create of an object that has just passed the checks of {@code passed} (null: none
   * or not checked). The parent adds only server-owned metadata and drops a status subresource's
   * status, so the nodes it stores passed them too.
   */
  private MockResponse created(String collectionPath, String body, CrdSchema passed) {
    creating = passed;
    try {
      return super.handleCreate(request(HttpMethod.POST, collectionPath, body));
    } finally {
      creating = null;
    }
  }

  /**
   * Creates {@code object} (already admitted) in the collection of {@code path}, as the parent's
   * POST handler would, without its work: it deserializes the whole body into a model and
   * serializes it again; here the server-owned metadata is set on the tree, and the created tree is
   * kept for the next write (see {@link ParsedObjects}). What the parent refuses (a name taken, a
   * namespace other than the path's, no name or kind) and CRDs (which the parent registers) go to
   * the parent's handler.
   *
   * @param passed the schema whose checks {@code object} has just passed, or null
   */
  private MockResponse created(ResourcePath path, ObjectNode object, CrdSchema passed) {
    String collection = path.collectionPath();
    JsonNode metadata = object.get("metadata");
    String name = metadata == null ? "" : metadata.path("name").asText("");
    String namespace = metadata == null ? "" : metadata.path("namespace").asText("");
    AttributeSet key =
        collection.equals(CRD_COLLECTION) || name.isEmpty()
            ? null
            : getKey(collection)
                .add(
                    new io.fabric8.mockwebserver.crud.Attribute(
                        KubernetesAttributesExtractor.NAME, name));
    if (key == null
        || !metadata.isObject()
        || object.path("apiVersion").asText("").isEmpty()
        || object.path("kind").asText("").isEmpty()
        || (path.namespace() != null && !namespace.isEmpty() && !namespace.equals(path.namespace()))
        || findResource(key) != null) {
      return created(collection, object.toString(), passed);
    }
    // the parent's PostHandler.initMetadata, on the tree; its model leaves out null and empty
    // values (ObjectMeta's fields are NON_EMPTY)
    ObjectNode meta = (ObjectNode) metadata;
    for (java.util.Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
      JsonNode value = it.next().getValue();
      if (value.isNull() || (value.isContainerNode() && value.isEmpty())) {
        it.remove();
      }
    }
    meta.remove("deletionTimestamp");
    if (path.namespace() != null) {
      meta.put("namespace", path.namespace());
    }
    meta.put("uid", io.fabric8.kubernetes.client.utils.Utils.generateId().toString());
    meta.put("creationTimestamp", creationTimestamp());
    meta.put("resourceVersion", String.valueOf(requestResourceVersion()));
    meta.put("generation", 1L);
    // stored as the parent serializes its model: apiVersion, kind, metadata, then the rest
    ObjectNode stored = Serialization.jsonMapper().createObjectNode();
    stored.set("apiVersion", object.get("apiVersion"));
    stored.set("kind", object.get("kind"));
    stored.set("metadata", meta);
    boolean statusSubresource = hasStatusSubresource(path);
    object
        .properties()
        .forEach(
            field -> {
              if (!stored.has(field.getKey())
                  && !(statusSubresource && field.getKey().equals("status"))) {
                stored.set(field.getKey(), field.getValue());
              }
            });
    String json = stored.toString();
    storing = new ParsedObjects.Parsed(json, stored, passed);
    processEvent(collection, key, null, keyed(stored), json);
    return new MockResponse().setResponseCode(201).setBody(json);
  }

  /**
   * Now, to the second, as a creationTimestamp: formatted once per second (formatting it for each
   * create was 1 % of the server's time in a fire); call with {@link #writes} held.
   */
  private String creationTimestamp() {
    long second = java.time.Instant.now().getEpochSecond();
    if (second != createdSecond) {
      createdSecond = second;
      createdAt =
          java.time.format.DateTimeFormatter.ISO_INSTANT.format(
              java.time.Instant.ofEpochSecond(second));
    }
    return createdAt;
  }

  /** The second of {@link #createdAt}; guarded by {@link #writes}. */
  private long createdSecond = Long.MIN_VALUE;

  private String createdAt;

  /** What is known of the new state being stored (see {@link ParsedObjects}), or null. */
  private ParsedObjects.Parsed parsedState(AttributeSet oldKey, String newState) {
    if (storing != null && storing.json() == newState) {
      return storing;
    }
    return creating != null && oldKey == null && newState != null
        ? new ParsedObjects.Parsed(newState, null, creating)
        : null;
  }

  /** The schema the writes of this path's resource are checked with, if any. */
  private CrdSchema schemaOf(ResourcePath path) {
    return catalog.find(path).map(ApiResource::validation).orElse(null);
  }

  /**
   * Stores an object exactly as given (worked out by {@link ObjectUpdate}) in place of the stored
   * one, with a new resourceVersion, as the parent's PUT handler would, without its work: it parsed
   * the body twice and the stored object once more, and re-serialized the result, only to store
   * what is already here (a fifth of the server's time in a scale round). A terminating object
   * without finalizers is deleted. The tree is kept for the next write (see {@link ParsedObjects}).
   *
   * @param current the stored object, as {@link #read} found it under the same hold of {@link
   *     #writes}
   * @param passed the schema whose checks {@code object} has just passed, or null
   */
  private MockResponse store(
      ResourcePath path, Stored current, ObjectNode object, CrdSchema passed) {
    if (ObjectUpdate.isTerminating(object) && !ObjectUpdate.hasFinalizers(object)) {
      processEvent(path.objectPath(), current.pathKey(), current.key(), null, null);
      return ok(object);
    }
    ((ObjectNode) object.get("metadata"))
        .put("resourceVersion", String.valueOf(requestResourceVersion()));
    String json = object.toString();
    storing = new ParsedObjects.Parsed(json, object, passed);
    processEvent(path.objectPath(), current.pathKey(), current.key(), keyed(object), json);
    return new MockResponse().setResponseCode(200).setBody(json);
  }

  /**
   * What the parent's attribute extractor reads of an object (apiVersion, kind, name, namespace,
   * labels), without deserializing the rest of it.
   */
  private static GenericKubernetesResource keyed(ObjectNode object) {
    GenericKubernetesResource keyed = new GenericKubernetesResource();
    keyed.setApiVersion(object.path("apiVersion").asText(null));
    keyed.setKind(object.path("kind").asText(null));
    io.fabric8.kubernetes.api.model.ObjectMeta metadata =
        new io.fabric8.kubernetes.api.model.ObjectMeta();
    JsonNode stored = object.path("metadata");
    metadata.setName(stored.path("name").asText(null));
    metadata.setNamespace(stored.path("namespace").asText(null));
    JsonNode labels = stored.path("labels");
    if (labels.isObject()) {
      Map<String, String> copy = new java.util.LinkedHashMap<>();
      labels.properties().forEach(e -> copy.put(e.getKey(), e.getValue().asText()));
      metadata.setLabels(copy);
    }
    keyed.setMetadata(metadata);
    return keyed;
  }

  /** The attributes the parent stores an object under, as it computes them. */
  private AttributeSet storedKey(
      AttributeSet pathAttributes, GenericKubernetesResource resource, String state) {
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet key =
        resource != null ? extractor.extract(resource) : extractor.fromResource(state);
    return key.containsKey(KubernetesAttributesExtractor.PLURAL)
        ? key
        : AttributeSet.merge(pathAttributes, key);
  }

  /**
   * A stored object and the schema it passed, if known. The tree may be the one kept for the stored
   * object (see {@link ParsedObjects}), so it is not to be changed: writes copy what they change
   * ({@link Patches}, {@link ObjectUpdate}) and share the rest.
   *
   * @param pathKey the attributes of the object's path
   * @param key the attributes it is stored under, so that storing its next state need not look them
   *     up again
   */
  private record Stored(
      ObjectNode object, CrdSchema passed, AttributeSet pathKey, AttributeSet key) {}

  /** The stored object at the path; call with {@link #writes} held. */
  private Optional<Stored> read(ResourcePath path) {
    AttributeSet pathKey = getKey(path.objectPath());
    Map.Entry<AttributeSet, String> entry = findResource(pathKey);
    if (entry == null) {
      return Optional.empty();
    }
    ParsedObjects.Parsed known = parsed.get(entry.getKey(), entry.getValue());
    if (known != null && known.tree() != null) {
      return Optional.of(new Stored(known.tree(), known.passed(), pathKey, entry.getKey()));
    }
    try {
      return Optional.of(
          new Stored(
              (ObjectNode) Serialization.jsonMapper().readTree(entry.getValue()),
              known == null ? null : known.passed(),
              pathKey,
              entry.getKey()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored object is not JSON: " + entry.getValue(), e);
    }
  }

  private boolean isCustomResource(ResourcePath path) {
    return customResources.contains(path.resourceName());
  }

  private static void checkName(ResourcePath path, JsonNode object) throws ApiStatusException {
    String name = object.path("metadata").path("name").asText("");
    if (!name.isEmpty() && !name.equals(path.name())) {
      throw new ApiStatusException(
          400,
          "BadRequest",
          "the name of the object ("
              + name
              + ") does not match the name on the URL ("
              + path.name()
              + ")");
    }
  }

  private static ApiStatusException notFound(ResourcePath path) {
    return new ApiStatusException(
        404, "NotFound", path.resourceName() + " \"" + path.name() + "\" not found");
  }

  private static MockResponse methodNotAllowed() {
    return new ApiStatusException(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the" + " requested resource")
        .toResponse();
  }

  private static MockResponse ok(JsonNode object) {
    return new MockResponse().setResponseCode(200).setBody(object.toString());
  }

  private static RecordedRequest request(HttpMethod method, String path, String body) {
    Headers headers = Headers.builder().add("Content-Type", "application/json").build();
    return new RecordedRequest(
        "HTTP/1.1", method, path, headers, new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }
}
