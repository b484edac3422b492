package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * An example resource under {@code src/test/resources/examples/}: one YAML document (a create) or
 * two (an update: the stored object, then the new one). An example that must be refused says why in
 * header lines {@code # expect: <field path>: <part of the message>}, one per violation.
 */
record Example(String name, String text, List<JsonNode> documents, List<Expectation> expectations) {
  private static final String EXPECT = "# expect:";

  /**
   * One expected violation: at exactly {@code path}, with a message containing {@code messagePart}.
   */
  record Expectation(String path, String messagePart) {
    boolean matches(Violation violation) {
      return violation.path().equals(path) && violation.message().contains(messagePart);
    }

    @Override
    public String toString() {
      return path + ": ..." + messagePart + "...";
    }
  }

  /** The examples in {@code examples/<folder>}, sorted by name. */
  static List<Example> in(String folder) {
    URL url = Example.class.getClassLoader().getResource("examples/" + folder);
    if (url == null) {
      throw new IllegalStateException("no examples/" + folder + " on the test classpath");
    }
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(Example::read).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Example read(Path file) {
    try {
      String text = Files.readString(file);
      List<Expectation> expectations =
          text.lines()
              .filter(line -> line.startsWith(EXPECT))
              .map(
                  line -> {
                    String rest = line.substring(EXPECT.length()).trim();
                    int colon = rest.indexOf(": ");
                    if (colon < 0) {
                      throw new IllegalArgumentException(
                          file + ": expect line needs '<path>: <message part>'");
                    }
                    return new Expectation(rest.substring(0, colon), rest.substring(colon + 2));
                  })
              .toList();
      return new Example(
          file.getFileName().toString(), text, Json.readYamlDocuments(text), expectations);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The object a create sends, or the new object of an update. */
  JsonNode object() {
    return documents.get(documents.size() - 1);
  }

  /** The violations the API server would report for this create or update. */
  List<Violation> violations() {
    return switch (documents.size()) {
      case 1 -> CrdValidator.create(documents.get(0));
      case 2 -> CrdValidator.update(documents.get(0), documents.get(1));
      default ->
          throw new IllegalStateException(
              name + ": one document (create) or two (update) expected");
    };
  }

  @Override
  public String toString() {
    return name;
  }
}
