package io.quiesce.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Encoding of QGA requests and decoding of reply lines (bytes in, JSON trees out). Public for the
 * libvirt channel, which carries the same requests and replies inside libvirt's agent command.
 */
public final class QgaJson {

  /**
   * The byte the agent writes before a {@code guest-sync-delimited} reply; never part of UTF-8
   * text.
   */
  static final byte DELIMITER = (byte) 0xFF;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final int EXCERPT_CHARS = 160;

  private QgaJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Largest request we send: far above any real one (a long mountpoint list is a few KiB). */
  static final int MAX_REQUEST_BYTES = 64 * 1024;

  /**
   * {@code {"execute":command,"arguments":...,"id":id}} and a newline.
   *
   * @throws IllegalArgumentException when the request would exceed {@link #MAX_REQUEST_BYTES}
   */
  public static byte[] request(String command, ObjectNode arguments, String id) {
    ObjectNode req = MAPPER.createObjectNode().put("execute", command);
    if (arguments != null && !arguments.isEmpty()) {
      req.set("arguments", arguments);
    }
    if (id != null) {
      req.put("id", id);
    }
    byte[] bytes = line(req, false);
    if (bytes.length > MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException(
          command + " request of " + bytes.length + " bytes exceeds " + MAX_REQUEST_BYTES);
    }
    return bytes;
  }

  /** 0xFF, then {@code guest-sync-delimited} with {@code id}, then a newline. */
  static byte[] syncRequest(long id) {
    ObjectNode req = MAPPER.createObjectNode().put("execute", "guest-sync-delimited");
    req.putObject("arguments").put("id", id);
    return line(req, true);
  }

  /**
   * Parses {@code line} from {@code offset} as one JSON object.
   *
   * @throws AgentProtocolException when it is not exactly one JSON object
   */
  public static JsonNode parseObject(byte[] line, int offset) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line, offset, line.length - offset);
    } catch (IOException e) {
      throw new AgentProtocolException("reply is not JSON: " + excerpt(line), e);
    }
    if (node == null || !node.isObject()) {
      throw new AgentProtocolException("reply is not a JSON object: " + excerpt(line));
    }
    return node;
  }

  /** Like {@link #parseObject} but null instead of an exception, for lines that may be junk. */
  static JsonNode tryParseObject(byte[] line, int offset) {
    try {
      return parseObject(line, offset);
    } catch (AgentProtocolException e) {
      return null;
    }
  }

  /** A short printable excerpt of a line for messages and logs (0xFF shown as {@code \xff}). */
  public static String excerpt(byte[] line) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < line.length && sb.length() < EXCERPT_CHARS; i++) {
      int b = line[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F) {
        sb.append((char) b);
      } else {
        sb.append(String.format("\\x%02x", b));
      }
    }
    return line.length > sb.length() ? sb + "...(" + line.length + " bytes)" : sb.toString();
  }

  /** Like {@link #excerpt(byte[])} for a JSON tree. */
  public static String excerpt(JsonNode node) {
    return excerpt(node.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] line(ObjectNode json, boolean delimited) {
    byte[] body;
    try {
      body = MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a JSON tree", e);
    }
    int head = delimited ? 1 : 0;
    byte[] out = new byte[head + body.length + 1];
    if (delimited) {
      out[0] = DELIMITER;
    }
    System.arraycopy(body, 0, out, head, body.length);
    out[out.length - 1] = '\n';
    return out;
  }
}
