package io.quiesce.agent;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test), run by {@code hack/bench-agent.sh} against a real guest: ping, freeze and
 * thaw latency through {@link QgaClient} next to a bare JDK unix {@link SocketChannel} doing the
 * same exchanges with no JSON handling, framing limits or typed errors ({@link BareQgaChannel}).
 *
 * <p>Usage: {@code AgentBench <agent socket> [pings=200] [freeze/thaw pairs=20]}
 */
public final class AgentBench {

  private static final int WARMUP = 50;
  private static final int ROUNDS = 4;

  private AgentBench() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: AgentBench <agent socket> [pings] [freeze/thaw pairs]");
      System.exit(2);
    }
    Path socket = Path.of(args[0]);
    int pings = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 20;

    // The agent serves one connection at a time, so the two sides take turns: ROUNDS blocks
    // each, alternating, so that drift in the emulated guest hits both alike.
    Samples base = new Samples(pings, pairs);
    Samples client = new Samples(pings, pairs);
    for (int round = 0; round < ROUNDS; round++) {
      try (BareQgaChannel bare = BareQgaChannel.open(socket)) {
        run(
            round,
            base,
            () -> bare.exchange("guest-ping"),
            () -> bare.exchange("guest-fsfreeze-freeze"),
            () -> bare.exchange("guest-fsfreeze-thaw"));
      }
      try (QgaClient qga = new QgaClient(socket)) {
        run(round, client, qga::ping, () -> qga.freeze(List.of()), qga::thaw);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-8s %6s | %-23s | %-23s | %s%n",
        "exchange",
        "n",
        "JDK SocketChannel (ms)",
        "QgaClient (ms)",
        "client/baseline (median, p95)");
    report("ping", base.ping, client.ping);
    report("freeze", base.freeze, client.freeze);
    report("thaw", base.thaw, client.thaw);
  }

  /** One round: warm-up pings, then this round's share of the samples. */
  private static void run(int round, Samples into, Exchange ping, Exchange freeze, Exchange thaw)
      throws IOException {
    for (int i = 0; i < WARMUP; i++) {
      ping.run();
    }
    for (int i = round; i < into.ping.length; i += ROUNDS) {
      into.ping[i] = timed(ping);
    }
    for (int i = round; i < into.freeze.length; i += ROUNDS) {
      into.freeze[i] = timed(freeze);
      into.thaw[i] = timed(thaw);
    }
  }

  private static void report(String name, long[] base, long[] client) {
    double bm = percentile(base, 50), bp = percentile(base, 95);
    double cm = percentile(client, 50), cp = percentile(client, 95);
    System.out.printf(
        Locale.ROOT,
        "%-8s %6d | median %6.3f p95 %6.3f | median %6.3f p95 %6.3f | %.2f, %.2f%n",
        name,
        base.length,
        bm,
        bp,
        cm,
        cp,
        cm / bm,
        cp / bp);
  }

  /** Nearest-rank percentile in milliseconds. */
  private static double percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  private interface Exchange {
    void run() throws IOException;
  }

  private static long timed(Exchange e) throws IOException {
    long t0 = System.nanoTime();
    e.run();
    return System.nanoTime() - t0;
  }

  private static final class Samples {
    final long[] ping;
    final long[] freeze;
    final long[] thaw;

    Samples(int pings, int pairs) {
      ping = new long[pings];
      freeze = new long[pairs];
      thaw = new long[pairs];
    }
  }
}
