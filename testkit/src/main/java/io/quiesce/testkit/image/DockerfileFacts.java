package io.quiesce.testkit.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests check in one of our Dockerfiles, read from the file itself (never copied): the
 * jlink module list, the final stage's user, where the jar is copied to, the labels and the
 * entrypoint. Only the instruction forms our Dockerfiles use are understood; anything else is
 * ignored.
 *
 * @param jlinkModules the {@code --add-modules} list of the jlink stage
 * @param jlinkFlags the jlink stage's other arguments, {@code --output} and its directory left out
 * @param user the last {@code USER} of the final stage
 * @param copies the final stage's plain {@code COPY src dest} (no {@code --from}), by destination
 * @param labels every {@code LABEL} key and value, quotes removed
 * @param entrypoint the exec-form {@code ENTRYPOINT} of the final stage
 */
public record DockerfileFacts(
    List<String> jlinkModules,
    List<String> jlinkFlags,
    String user,
    Map<String, String> copies,
    Map<String, String> labels,
    List<String> entrypoint) {
  private static final Pattern ADD_MODULES = Pattern.compile("--add-modules\\s+(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([\\w.-]+)=\"([^\"]*)\"");
  private static final Pattern EXEC_FORM_ITEM = Pattern.compile("\"([^\"]*)\"");

  /** Reads {@code dockerfile}. */
  public static DockerfileFacts read(Path dockerfile) {
    List<String> instructions;
    try {
      instructions = instructions(Files.readAllLines(dockerfile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> modules = List.of();
    List<String> flags = List.of();
    String user = null;
    Map<String, String> copies = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    List<String> entrypoint = List.of();
    for (String instruction : instructions) {
      String[] split = instruction.split("\\s+", 2);
      String keyword = split[0].toUpperCase();
      String rest = split.length > 1 ? split[1].trim() : "";
      switch (keyword) {
        case "FROM" -> {
          // a new stage: only the last stage's user, copies and entrypoint count
          user = null;
          copies.clear();
          entrypoint = List.of();
        }
        case "RUN" -> {
          Matcher m = ADD_MODULES.matcher(rest);
          if (rest.startsWith("jlink ") && m.find()) {
            modules = List.of(m.group(1).split(","));
            flags = jlinkFlags(rest.substring("jlink ".length()).replace(m.group(), " "));
          }
        }
        case "USER" -> user = rest;
        case "COPY" -> {
          String[] parts = rest.split("\\s+");
          if (!parts[0].startsWith("--") && parts.length == 2) {
            copies.put(parts[1], parts[0]);
          }
        }
        case "LABEL" -> {
          Matcher m = LABEL.matcher(rest);
          while (m.find()) {
            labels.put(m.group(1), m.group(2));
          }
        }
        case "ENTRYPOINT" -> {
          List<String> items = new ArrayList<>();
          Matcher m = EXEC_FORM_ITEM.matcher(rest);
          while (m.find()) {
            items.add(m.group(1));
          }
          entrypoint = List.copyOf(items);
        }
        default -> {}
      }
    }
    if (modules.isEmpty()) {
      throw new IllegalStateException(dockerfile + " has no 'RUN jlink --add-modules ...'");
    }
    return new DockerfileFacts(
        modules, flags, user, Map.copyOf(copies), Map.copyOf(labels), entrypoint);
  }

  private static List<String> jlinkFlags(String arguments) {
    List<String> flags = new ArrayList<>();
    String[] words = arguments.trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      if (words[i].equals("--output")) {
        i++;
      } else if (!words[i].isEmpty()) {
        flags.add(words[i]);
      }
    }
    return List.copyOf(flags);
  }

  /** Instructions with comments dropped and backslash continuations joined. */
  private static List<String> instructions(List<String> lines) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      boolean continues = trimmed.endsWith("\\");
      current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
      if (!continues) {
        out.add(current.toString().trim());
        current.setLength(0);
      }
    }
    if (current.length() > 0) {
      out.add(current.toString().trim());
    }
    return out;
  }

  /** The modules as one comma-separated list, as jlink takes it. */
  public String moduleList() {
    return String.join(",", jlinkModules);
  }
}
