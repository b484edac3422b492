package io.quiesce.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every reason is spelled once in the main sources of all modules (the test kit's are test code):
 * in {@link Reason}. A string literal equal to a reason's wire value anywhere else is a second
 * definition that can drift.
 */
class ReasonDefinedOnceTest {
  /** The repository root: this module's parent. */
  private static final Path ROOT =
      Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

  /**
   * Literals that equal a reason but name something else: the condition type {@code Ready} (the
   * channel attempt's reason {@code Ready} shares the word), here and on a restore.
   */
  private static final Map<String, Set<String>> OTHER_MEANINGS =
      Map.of(
          "crds/src/main/java/io/quiesce/status/Conditions.java", Set.of("Ready"),
          "operator/src/main/java/io/quiesce/restore/RestoreStateMachine.java", Set.of("Ready"));

  @Test
  void wireValuesAreUniqueCamelCase() {
    Set<String> wires =
        Arrays.stream(Reason.values()).map(Reason::wire).collect(Collectors.toSet());
    assertEquals(Reason.values().length, wires.size(), "two reasons share a wire value");
    for (Reason r : Reason.values()) {
      assertTrue(r.wire().matches("[A-Z][A-Za-z0-9]*"), r + " is not CamelCase");
      assertEquals(r, Reason.fromWire(r.wire()).orElseThrow());
    }
  }

  @Test
  void noMainSourceSpellsAReasonOutsideItsDefinition() {
    Set<String> wires =
        Arrays.stream(Reason.values()).map(Reason::wire).collect(Collectors.toSet());
    List<Path> sources = mainSources();
    assertTrue(
        sources.size() > 100, "found only " + sources.size() + " main sources under " + ROOT);
    assertTrue(
        sources.stream().anyMatch(p -> p.endsWith("SnapshotStateMachine.java")),
        "operator sources not found");
    assertTrue(
        sources.stream().anyMatch(p -> p.endsWith("FreezeWindowRunner.java")),
        "helper sources not found");
    List<String> found = new ArrayList<>();
    for (Path source : sources) {
      String rel = ROOT.relativize(source).toString().replace('\\', '/');
      if (rel.endsWith("io/quiesce/status/Reason.java") || rel.contains("/io/quiesce/kube/")) {
        continue; // the definition; KubeVirt's and CSI's own vocabularies
      }
      Set<String> allowed = OTHER_MEANINGS.getOrDefault(rel, Set.of());
      Matcher m = LITERAL.matcher(withoutComments(read(source)));
      while (m.find()) {
        if (wires.contains(m.group(1)) && !allowed.contains(m.group(1))) {
          found.add(rel + ": \"" + m.group(1) + "\"");
        }
      }
    }
    assertEquals(List.of(), found, "reasons spelled outside io.quiesce.status.Reason");
  }

  @Test
  void theScanFindsALiteralItShouldReport() {
    String code = "class X { String r = \"NoAgentChannel\"; /* \"Frozen\" */ }";
    Matcher m = LITERAL.matcher(withoutComments(code));
    List<String> literals = new ArrayList<>();
    while (m.find()) {
      literals.add(m.group(1));
    }
    assertEquals(List.of("NoAgentChannel"), literals);
  }

  private static List<Path> mainSources() {
    try (Stream<Path> modules = Files.list(ROOT)) {
      List<Path> out = new ArrayList<>();
      for (Path main :
          modules
              // the test kit's main sources are test code (fakes speak the reasons to the code
              // under
              // test)
              .filter(m -> !m.endsWith("testkit"))
              .map(m -> m.resolve("src/main/java"))
              .filter(Files::isDirectory)
              .toList()) {
        try (Stream<Path> files = Files.walk(main)) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The code with its comments blanked (string literals kept; good enough for Java without text
   * blocks of reasons).
   */
  static String withoutComments(String code) {
    return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", " ");
  }
}
