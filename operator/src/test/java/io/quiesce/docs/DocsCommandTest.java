package io.quiesce.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.helper.AgentCli;
import io.quiesce.helper.AgentTarget;
import io.quiesce.helper.ExitCode;
import io.quiesce.schedule.SchedulePreviewCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command examples of README.md and docs/ that need no cluster, extracted from the markdown and
 * run: every {@code operator.jar schedule preview} and {@code node-helper.jar agent --help} example
 * in a code block must print exactly the lines shown under it, every {@code node-helper.jar agent}
 * or {@code recover} command line the docs show must parse (it gets as far as opening the agent,
 * which is not there), and every {@code hack/sandbox.sh} flag the docs mention must be one its
 * {@code --help} lists. A changed command or output breaks this test, not a reader.
 */
class DocsCommandTest {
  private static final Path ROOT =
      Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
  private static final Pattern PREVIEW =
      Pattern.compile("^\\$ java -jar \\S*operator\\.jar schedule preview (.*)$");
  private static final Pattern SANDBOX_FLAGS =
      Pattern.compile("hack/sandbox\\.sh((?: --?[a-z][-a-z]*(?: [^\\s`|]+)?)*)");
  private static final Pattern HELPER_HELP =
      Pattern.compile("^\\$ java -jar \\S*node-helper\\.jar (agent --help)$");
  private static final Pattern HELPER_COMMAND =
      Pattern.compile("java -jar \\S*node-helper\\.jar ((?:agent|recover) [^`|#(]*)");
  private static final Pattern PLACEHOLDER = Pattern.compile("<[^<>]*>");
  private static final Pattern FLAG = Pattern.compile("--[a-z][-a-z]*");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  @Test
  void everySchedulePreviewExamplePrintsWhatTheDocsShow() {
    List<Example> examples = new ArrayList<>();
    for (Path doc : docs()) {
      List<String> lines = read(doc);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = PREVIEW.matcher(lines.get(i));
        if (!m.matches()) {
          continue;
        }
        List<String> expected = new ArrayList<>();
        for (int j = i + 1;
            j < lines.size() && !lines.get(j).startsWith("```") && !lines.get(j).startsWith("$");
            j++) {
          expected.add(lines.get(j));
        }
        examples.add(
            new Example(ROOT.relativize(doc) + ":" + (i + 1), shellWords(m.group(1)), expected));
      }
    }
    assertThat(examples).as("schedule preview examples in README.md and docs/").isNotEmpty();
    for (Example e : examples) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit =
          new SchedulePreviewCommand(
                  new PrintStream(out, true, StandardCharsets.UTF_8),
                  new PrintStream(err, true, StandardCharsets.UTF_8))
              .run(e.args(), Instant.now());
      assertThat(exit).as(e.where() + ": " + err.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
          .as(e.where())
          .isEqualTo(e.output());
    }
  }

  @Test
  void everyAgentHelpExamplePrintsWhatTheDocsShow() {
    List<Example> examples = new ArrayList<>();
    for (Path doc : docs()) {
      List<String> lines = read(doc);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = HELPER_HELP.matcher(lines.get(i));
        if (!m.matches()) {
          continue;
        }
        List<String> expected = new ArrayList<>();
        for (int j = i + 1;
            j < lines.size() && !lines.get(j).startsWith("```") && !lines.get(j).startsWith("$");
            j++) {
          expected.add(lines.get(j));
        }
        examples.add(
            new Example(ROOT.relativize(doc) + ":" + (i + 1), shellWords(m.group(1)), expected));
      }
    }
    assertThat(examples).as("node-helper.jar agent --help examples in docs").isNotEmpty();
    for (Example e : examples) {
      Run run = runAgentCli(e.args());
      assertThat(run.exit()).as(e.where() + ": " + run.err()).isZero();
      assertThat(run.out().lines().toList()).as(e.where()).isEqualTo(e.output());
    }
  }

  @Test
  void everyNodeHelperCommandTheDocsShowParses() {
    String usage = runAgentCli(List.of("agent", "--help")).out();
    List<Example> commands = new ArrayList<>();
    for (Path doc : docs()) {
      List<String> lines = read(doc);
      for (int i = 0; i < lines.size(); i++) {
        if (HELPER_HELP.matcher(lines.get(i)).matches()) {
          // the usage printed below it is syntax, not commands
          while (i + 1 < lines.size() && !lines.get(i + 1).startsWith("```")) {
            i++;
          }
          continue;
        }
        // a shell line continued with a backslash is one command
        String line = lines.get(i);
        int first = i;
        while (line.endsWith("\\") && i + 1 < lines.size()) {
          line = line.substring(0, line.length() - 1) + " " + lines.get(++i).strip();
        }
        Matcher m = HELPER_COMMAND.matcher(line);
        while (m.find()) {
          // a placeholder such as <virt-launcher socket> is one word
          String command = PLACEHOLDER.matcher(m.group(1)).replaceAll("PLACEHOLDER");
          commands.add(
              new Example(
                  ROOT.relativize(doc) + ":" + (first + 1), shellWords(command), List.of()));
        }
      }
    }
    assertThat(commands)
        .as("node-helper.jar agent/recover commands in README.md and docs/")
        .extracting(e -> e.args().get(0))
        .contains("agent", "recover");
    for (Example e : commands) {
      List<String> args = e.args();
      if (args.contains("--help")) {
        continue; // run and compared above
      }
      int ellipsis = indexOfEllipsis(args);
      Set<String> flags = new LinkedHashSet<>();
      collect(String.join(" ", args), flags);
      for (String flag : flags) {
        assertThat(usage).as(e.where() + ": " + flag + " in agent --help").contains(flag);
      }
      if (args.get(0).equals("agent")) {
        assertThat(usage)
            .as(e.where() + ": the command in agent --help")
            .containsPattern("agent <(\\w+\\|)*" + Pattern.quote(args.get(1)) + "[|>]");
      }
      if (ellipsis >= 0) {
        continue; // abbreviated in the docs: its flags are checked, it is not run
      }
      Run run = runAgentCli(args);
      assertThat(run.exit())
          .as(e.where() + " " + args + ": " + run.err())
          .isNotEqualTo(ExitCode.USAGE.code());
      assertThat(run.opened()).as(e.where() + ": got as far as opening the agent").isTrue();
    }
  }

  private static int indexOfEllipsis(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("...") || args.get(i).equals("\u2026")) {
        return i;
      }
    }
    return -1;
  }

  private record Run(int exit, String out, String err, boolean opened) {}

  /** Runs the node helper's command line with an opener that finds no agent. */
  private static Run runAgentCli(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<AgentTarget> opened = new ArrayList<>();
    int exit =
        new AgentCli(
                (target, timeout) -> {
                  synchronized (opened) {
                    opened.add(target);
                  }
                  throw new IllegalStateException("no guest agent in a docs test");
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))
            .run(args.toArray(String[]::new));
    synchronized (opened) {
      return new Run(
          exit,
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8),
          !opened.isEmpty());
    }
  }

  @Test
  void everySandboxFlagTheDocsMentionIsInItsHelp() throws Exception {
    Set<String> documented = new LinkedHashSet<>();
    for (Path doc : docs()) {
      for (String line : read(doc)) {
        if (!line.contains("hack/sandbox.sh")) {
          continue;
        }
        // the flags of a sandbox command, and those a line about the sandbox names in backticks
        Matcher m = SANDBOX_FLAGS.matcher(line);
        while (m.find()) {
          collect(m.group(1), documented);
        }
        Matcher code = CODE.matcher(line);
        while (code.find()) {
          if (code.group(1).startsWith("--")) {
            collect(code.group(1), documented);
          }
        }
      }
    }
    documented.remove("--help"); // prints the usage itself; run below
    assertThat(documented).as("sandbox flags in README.md and docs/").contains("--channel");

    Process help =
        new ProcessBuilder("bash", ROOT.resolve("hack/sandbox.sh").toString(), "--help")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(help.waitFor(30, TimeUnit.SECONDS)).as("sandbox.sh --help returns at once").isTrue();
    String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(usage).contains("Usage: hack/sandbox.sh");
    Set<String> listed = new LinkedHashSet<>();
    Matcher flag = FLAG.matcher(usage);
    while (flag.find()) {
      listed.add(flag.group());
    }
    assertThat(listed).as("flags in hack/sandbox.sh --help").containsAll(documented);
  }

  private static void collect(String text, Set<String> into) {
    Matcher flag = FLAG.matcher(text);
    while (flag.find()) {
      into.add(flag.group());
    }
  }

  private record Example(String where, List<String> args, List<String> output) {}

  /** Splits a command line as a POSIX shell does for plain words and single or double quotes. */
  static List<String> shellWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  private static List<Path> docs() {
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      List<Path> all =
          new ArrayList<>(docs.filter(p -> p.toString().endsWith(".md")).sorted().toList());
      all.add(0, ROOT.resolve("README.md"));
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> read(Path p) {
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
