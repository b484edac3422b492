package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}),
 * which client-go's typed clients send for built-in kinds (helm's release Secrets, {@code kubectl
 * create namespace}), read into JSON for the few kinds those clients write here: Secret, ConfigMap
 * and Namespace. Decoded from the wire format by the field numbers of Kubernetes' {@code
 * generated.proto} (the {@code k8s\0} envelope, {@code runtime.Unknown}, ObjectMeta); only the
 * fields these writes carry. Any other kind is empty: the caller answers 415.
 */
final class ProtobufBodies {
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ProtobufBodies() {}

  /** The body as a JSON object, if it is a protobuf Secret, ConfigMap or Namespace. */
  static Optional<ObjectNode> toJson(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      return Optional.empty();
    }
    Reader envelope = new Reader(Arrays.copyOfRange(body, MAGIC.length, body.length));
    String apiVersion = "";
    String kind = "";
    byte[] raw = null;
    while (envelope.more()) {
      int tag = envelope.tag();
      if (tag >>> 3 == 1 && (tag & 7) == 2) {
        Reader typeMeta = envelope.message();
        while (typeMeta.more()) {
          int t = typeMeta.tag();
          if (t >>> 3 == 1) {
            apiVersion = typeMeta.string();
          } else if (t >>> 3 == 2) {
            kind = typeMeta.string();
          } else {
            typeMeta.skip(t);
          }
        }
      } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
        raw = envelope.bytes();
      } else {
        envelope.skip(tag);
      }
    }
    if (raw == null || !apiVersion.equals("v1")) {
      return Optional.empty();
    }
    ObjectNode object = JSON.objectNode().put("apiVersion", apiVersion).put("kind", kind);
    Reader fields = new Reader(raw);
    switch (kind) {
      case "Secret" -> {
        while (fields.more()) {
          int tag = fields.tag();
          switch (tag >>> 3) {
            case 1 -> object.set("metadata", objectMeta(fields.message()));
            case 2 -> mapEntry(fields.message(), object.with("data"), true);
            case 3 -> object.put("type", fields.string());
            case 4 -> mapEntry(fields.message(), object.with("stringData"), false);
            case 5 -> object.put("immutable", fields.varint() != 0);
            default -> fields.skip(tag);
          }
        }
      }
      case "ConfigMap" -> {
        while (fields.more()) {
          int tag = fields.tag();
          switch (tag >>> 3) {
            case 1 -> object.set("metadata", objectMeta(fields.message()));
            case 2 -> mapEntry(fields.message(), object.with("data"), false);
            case 3 -> mapEntry(fields.message(), object.with("binaryData"), true);
            case 4 -> object.put("immutable", fields.varint() != 0);
            default -> fields.skip(tag);
          }
        }
      }
      case "Namespace" -> {
        while (fields.more()) {
          int tag = fields.tag();
          if (tag >>> 3 == 1) {
            object.set("metadata", objectMeta(fields.message()));
          } else {
            fields.skip(tag);
          }
        }
      }
      default -> {
        return Optional.empty();
      }
    }
    return Optional.of(object);
  }

  private static ObjectNode objectMeta(Reader meta) {
    ObjectNode node = JSON.objectNode();
    while (meta.more()) {
      int tag = meta.tag();
      switch (tag >>> 3) {
        case 1 -> node.put("name", meta.string());
        case 2 -> node.put("generateName", meta.string());
        case 3 -> node.put("namespace", meta.string());
        case 5 -> node.put("uid", meta.string());
        case 6 -> node.put("resourceVersion", meta.string());
        case 11 -> mapEntry(meta.message(), node.with("labels"), false);
        case 12 -> mapEntry(meta.message(), node.with("annotations"), false);
        case 14 -> ((ArrayNode) node.withArray("finalizers")).add(meta.string());
        default -> meta.skip(tag);
      }
    }
    return node;
  }

  /** A map entry (key 1, value 2) into the object; byte values as base64, as JSON carries them. */
  private static void mapEntry(Reader entry, ObjectNode into, boolean bytesValue) {
    String key = "";
    byte[] value = new byte[0];
    while (entry.more()) {
      int tag = entry.tag();
      if (tag >>> 3 == 1) {
        key = entry.string();
      } else if (tag >>> 3 == 2) {
        value = entry.bytes();
      } else {
        entry.skip(tag);
      }
    }
    into.put(
        key,
        bytesValue
            ? Base64.getEncoder().encodeToString(value)
            : new String(value, StandardCharsets.UTF_8));
  }

  /** The protobuf wire format: varints and length-delimited fields. */
  private static final class Reader {
    private final byte[] data;
    private int at;

    Reader(byte[] data) {
      this.data = data;
    }

    boolean more() {
      return at < data.length;
    }

    int tag() {
      return (int) varint();
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = data[at++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("malformed varint");
    }

    byte[] bytes() {
      int length = (int) varint();
      if (length < 0 || at + length > data.length) {
        throw new IllegalArgumentException("length beyond the message");
      }
      byte[] value = Arrays.copyOfRange(data, at, at + length);
      at += length;
      return value;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader message() {
      return new Reader(bytes());
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> at += 8;
        case 2 -> bytes();
        case 5 -> at += 4;
        default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
      }
    }
  }
}
