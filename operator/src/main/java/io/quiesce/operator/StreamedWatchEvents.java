package io.quiesce.operator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserSequence;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quiesce.snapshot.CachedCopies;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator client's serialization, which decodes a watch event's object in one pass, straight
 * from the message into its registered class.
 *
 * <p>fabric8 reads the event's {@code object} (declared a {@code KubernetesResource}) into a JSON
 * tree to find its apiVersion and kind, then converts the tree into the class: in a fire, a quarter
 * of the operator's CPU went to decoding the ~13 events per snapshot its informers see, about half
 * of that to the tree. The API server writes {@code apiVersion} and {@code kind} first (a built-in
 * kind's TypeMeta leads its fields, a custom resource's keys are sorted), so here they are read,
 * the class is looked up where fabric8 looks, and the rest of the object is read by the class's own
 * deserializer, behind the two fields already read. Any other shape (another field first, an
 * unregistered kind, an unknown field in the event) is left to fabric8, unchanged: the result is
 * the same object either way.
 */
public final class StreamedWatchEvents extends KubernetesSerialization {
  private final ObjectMapper mapper;

  /**
   * The mapper that reads watch events' objects: this one, but blind to a snapshot's {@code
   * status.vmDefinition} (the VM's whole spec): only the operator's informers read watch events,
   * and their caches drop it; a restore reads it with a GET of the snapshot.
   */
  private final ObjectMapper watchMapper;

  /** A reader per kind: {@code readerFor} builds a new one each call. */
  private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

  public StreamedWatchEvents() {
    this(new ObjectMapper());
  }

  private StreamedWatchEvents(ObjectMapper mapper) {
    super(mapper, true); // as fabric8's default serialization, which configures this mapper
    this.mapper = mapper;
    this.watchMapper = CachedCopies.withoutVmDefinition(mapper);
  }

  @Override
  public <T> T unmarshal(String json, Class<T> type) {
    if (type == WatchEvent.class) {
      WatchEvent event = streamed(json);
      if (event != null) {
        return type.cast(event);
      }
    }
    return super.unmarshal(json, type);
  }

  /** The event, or null when it is not of the shape read here. */
  WatchEvent streamed(String json) {
    try (JsonParser p = mapper.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      WatchEvent event = new WatchEvent();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("type") && value == JsonToken.VALUE_STRING && event.getType() == null) {
          event.setType(p.getText());
        } else if (field.equals("object")
            && value == JsonToken.START_OBJECT
            && event.getObject() == null) {
          KubernetesResource object = object(p);
          if (object == null) {
            return null;
          }
          event.setObject(object);
        } else {
          return null;
        }
      }
      return p.nextToken() == null && event.getObject() != null ? event : null;
    } catch (IOException | RuntimeException e) {
      return null; // fabric8 reads it again, and says what is wrong with it
    }
  }

  /** The object at {@code p} (on its START_OBJECT), read to its END_OBJECT; or null. */
  private KubernetesResource object(JsonParser p) throws IOException {
    String apiVersion = null;
    String kind = null;
    while (apiVersion == null || kind == null) {
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        return null;
      }
      String field = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        return null;
      }
      if (field.equals("apiVersion") && apiVersion == null) {
        apiVersion = p.getText();
      } else if (field.equals("kind") && kind == null) {
        kind = p.getText();
      } else {
        return null;
      }
    }
    Class<? extends KubernetesResource> type = getRegisteredKubernetesResource(apiVersion, kind);
    if (type == null || type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      return null;
    }
    // the two fields read, then the rest of the object from the message
    TokenBuffer head = new TokenBuffer(p);
    head.writeStartObject();
    head.writeStringField("apiVersion", apiVersion);
    head.writeStringField("kind", kind);
    JsonParser whole = JsonParserSequence.createFlattened(false, head.asParser(p), p);
    whole.nextToken();
    return readers.computeIfAbsent(type, watchMapper::readerFor).readValue(whole);
  }
}
