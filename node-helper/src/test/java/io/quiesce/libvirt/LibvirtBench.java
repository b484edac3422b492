package io.quiesce.libvirt;

import io.quiesce.agent.QgaSettings;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test), run by {@code hack/bench-libvirt.sh} against a real libvirt daemon and
 * domain: freeze and thaw latency through {@link LibvirtAgent} next to {@code virsh domfsfreeze} /
 * {@code domfsthaw} as separate processes (process start included, as an operator would type them),
 * and inside one long-running {@code virsh} shell (the daemon round trip without process start).
 *
 * <p>Usage: {@code LibvirtBench <daemon socket> <domain> [freeze/thaw pairs=30]}
 */
public final class LibvirtBench {

  private static final int ROUNDS = 3;
  private static final int WARMUP = 3;

  /**
   * virsh's {@code echo} joins its words: the output differs from the command text virsh echoes
   * back.
   */
  private static final String DONE_COMMAND = "echo __quiesce_bench '_done__'";

  private static final String DONE = "__quiesce_bench _done__";

  private LibvirtBench() {}

  /** One way of freezing and thawing the domain. */
  private interface Method extends AutoCloseable {
    void freeze() throws IOException;

    void thaw() throws IOException;

    @Override
    void close() throws IOException;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: LibvirtBench <daemon socket> <domain> [freeze/thaw pairs]");
      System.exit(2);
    }
    Path socket = Path.of(args[0]);
    String domain = args[1];
    int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String uri = "qemu:///session?socket=" + socket;

    String[] names = {"LibvirtAgent (one connection)", "virsh process per call", "one virsh shell"};
    List<List<Long>> freezes = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<List<Long>> thaws = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    // rounds alternate the methods so that drift in the emulated guest hits all alike
    for (int round = 0; round < ROUNDS; round++) {
      int n = pairs / ROUNDS + (round < pairs % ROUNDS ? 1 : 0);
      for (int m = 0; m < names.length; m++) {
        try (Method method = open(m, socket, domain, uri)) {
          for (int i = 0; i < WARMUP + n; i++) {
            long t0 = System.nanoTime();
            method.freeze();
            long t1 = System.nanoTime();
            method.thaw();
            long t2 = System.nanoTime();
            if (i >= WARMUP) {
              freezes.get(m).add(t1 - t0);
              thaws.get(m).add(t2 - t1);
            }
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-30s %4s | %-25s | %-25s%n",
        "method",
        "n",
        "freeze ms (median, p95)",
        "thaw ms (median, p95)");
    for (int m = 0; m < names.length; m++) {
      System.out.printf(
          Locale.ROOT,
          "%-30s %4d | median %7.1f p95 %7.1f | median %7.1f p95 %7.1f%n",
          names[m],
          freezes.get(m).size(),
          pct(freezes.get(m), 50),
          pct(freezes.get(m), 95),
          pct(thaws.get(m), 50),
          pct(thaws.get(m), 95));
    }
    for (int m = 1; m < names.length; m++) {
      System.out.printf(
          Locale.ROOT,
          "ratio LibvirtAgent / %-22s freeze %.2f, thaw %.2f (medians)%n",
          names[m] + ":",
          pct(freezes.get(0), 50) / pct(freezes.get(m), 50),
          pct(thaws.get(0), 50) / pct(thaws.get(m), 50));
    }
  }

  private static Method open(int method, Path socket, String domain, String uri)
      throws IOException {
    return switch (method) {
      case 0 -> agent(socket, domain);
      case 1 -> virshProcesses(uri, domain);
      default -> virshShell(uri, domain);
    };
  }

  private static Method agent(Path socket, String domain) {
    LibvirtAgent agent = new LibvirtAgent(socket, domain, QgaSettings.defaults());
    return new Method() {
      @Override
      public void freeze() {
        check(agent.freeze(List.of()) == 1, "froze 1");
      }

      @Override
      public void thaw() {
        check(agent.thaw() == 1, "thawed 1");
      }

      @Override
      public void close() {
        agent.close();
      }
    };
  }

  private static Method virshProcesses(String uri, String domain) {
    return new Method() {
      @Override
      public void freeze() throws IOException {
        virsh(uri, "domfsfreeze", domain);
      }

      @Override
      public void thaw() throws IOException {
        virsh(uri, "domfsthaw", domain);
      }

      @Override
      public void close() {}
    };
  }

  private static void virsh(String uri, String command, String domain) throws IOException {
    Process p =
        new ProcessBuilder("virsh", "-q", "-c", uri, command, domain)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      check(
          p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "virsh " + command + " succeeded");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * One virsh process reading commands from stdin; {@code echo} marks the end of each command's
   * output.
   */
  private static Method virshShell(String uri, String domain) throws IOException {
    // not -q: quiet mode drops the "Froze 1 filesystem(s)" line that proves the command worked
    Process p = new ProcessBuilder("virsh", "-c", uri).redirectErrorStream(true).start();
    Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    Reader out = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8);
    return new Method() {
      @Override
      public void freeze() throws IOException {
        run("domfsfreeze " + domain, "Froze 1");
      }

      @Override
      public void thaw() throws IOException {
        run("domfsthaw " + domain, "Thawed 1");
      }

      private void run(String command, String expect) throws IOException {
        in.write(command + "\n" + DONE_COMMAND + "\n");
        in.flush();
        // the marker is followed by the next prompt, not by a newline: read characters, not lines
        StringBuilder seen = new StringBuilder();
        while (seen.indexOf(DONE) < 0) {
          int c = out.read();
          check(c >= 0, "virsh still running");
          seen.append((char) c);
        }
        check(seen.indexOf(expect) >= 0, command + " printed '" + expect + "', got: " + seen);
      }

      @Override
      public void close() throws IOException {
        in.write("quit\n");
        in.close();
        p.destroy();
      }
    };
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark step failed: expected " + what);
    }
  }

  /** Nearest-rank percentile in milliseconds. */
  private static double pct(List<Long> nanos, int p) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}
