package io.quiesce.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code return} values of QGA commands into typed values, rejecting wrong shapes with
 * {@link AgentProtocolException}. Public for the libvirt channel, which gets the same replies.
 */
public final class QgaReplies {

  private QgaReplies() {}

  /** A non-negative count, as the freeze and thaw commands return. */
  public static int count(String command, JsonNode ret) {
    if (!ret.isIntegralNumber() || !ret.canConvertToInt() || ret.intValue() < 0) {
      throw wrongType(command, "a non-negative integer", ret);
    }
    return ret.intValue();
  }

  /** {@code "frozen"} or {@code "thawed"}. */
  public static FreezeState freezeState(String command, JsonNode ret) {
    if (ret.isTextual()) {
      switch (ret.textValue()) {
        case "frozen":
          return FreezeState.FROZEN;
        case "thawed":
          return FreezeState.THAWED;
        default:
          break;
      }
    }
    throw wrongType(command, "\"frozen\" or \"thawed\"", ret);
  }

  /** {@code guest-info}'s version and supported commands. */
  public static GuestInfo guestInfo(String command, JsonNode ret) {
    JsonNode version = ret.path("version");
    JsonNode supported = ret.path("supported_commands");
    if (!version.isTextual() || !supported.isArray()) {
      throw wrongType(command, "an object with version and supported_commands", ret);
    }
    Map<String, Boolean> commands = new LinkedHashMap<>();
    for (JsonNode c : supported) {
      if (!c.path("name").isTextual() || !c.path("enabled").isBoolean()) {
        throw wrongType(command, "supported_commands entries with name and enabled", ret);
      }
      commands.put(c.get("name").textValue(), c.get("enabled").booleanValue());
    }
    return new GuestInfo(version.textValue(), Collections.unmodifiableMap(commands));
  }

  /** {@code guest-get-osinfo}'s id, pretty name and kernel release; absent fields are null. */
  public static GuestOsInfo osInfo(String command, JsonNode ret) {
    if (!ret.isObject()) {
      throw wrongType(command, "an object", ret);
    }
    return new GuestOsInfo(text(ret, "id"), text(ret, "pretty-name"), text(ret, "kernel-release"));
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  /** {@code guest-get-fsinfo}'s entries. */
  public static List<GuestFilesystem> filesystems(String command, JsonNode ret) {
    if (!ret.isArray()) {
      throw wrongType(command, "an array", ret);
    }
    List<GuestFilesystem> result = new ArrayList<>();
    for (JsonNode fs : ret) {
      if (!fs.path("name").isTextual()
          || !fs.path("mountpoint").isTextual()
          || !fs.path("type").isTextual()) {
        throw wrongType(command, "entries with name, mountpoint and type", ret);
      }
      result.add(
          new GuestFilesystem(
              fs.get("name").textValue(),
              fs.get("mountpoint").textValue(),
              fs.get("type").textValue(),
              disks(fs.path("disk"))));
    }
    return Collections.unmodifiableList(result);
  }

  /**
   * Serial numbers of the disks under a filesystem; the device path where the guest knows no
   * serial.
   */
  private static List<String> disks(JsonNode disks) {
    List<String> result = new ArrayList<>();
    for (JsonNode d : disks) {
      String serial = d.path("serial").asText("");
      result.add(serial.isEmpty() ? d.path("dev").asText("") : serial);
    }
    return List.copyOf(result);
  }

  private static AgentProtocolException wrongType(
      String command, String expected, JsonNode actual) {
    return new AgentProtocolException(
        String.format(
            Locale.ROOT,
            "%s returned %s, expected %s",
            command,
            QgaJson.excerpt(actual),
            expected));
  }
}
