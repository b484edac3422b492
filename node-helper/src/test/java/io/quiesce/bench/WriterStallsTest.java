package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WriterStallsTest {

  private static final String CONSOLE =
      "H 10.00\nW 1 10.10\nW 2 10.25\nH 11.00\nW 3 11.75\nW 4 11.90\nW 5 12.00\n";

  @Test
  void findsTheLongestGapAroundTheOperation() {
    List<WriterStalls.Iteration> it = WriterStalls.iterations(CONSOLE);
    assertThat(it).hasSize(5);
    long start = CONSOLE.indexOf("H 11.00"); // marked after W 2
    long end = CONSOLE.indexOf("W 4"); // marked after W 3
    assertThat(WriterStalls.longestGapMs(it, start, end))
        .hasValueCloseTo(1500.0, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void emptyUntilTheWriterHasMovedOnAfterTheOperation() {
    List<WriterStalls.Iteration> it = WriterStalls.iterations(CONSOLE);
    assertThat(WriterStalls.longestGapMs(it, CONSOLE.indexOf("W 3"), CONSOLE.length())).isEmpty();
    assertThat(WriterStalls.longestGapMs(it, 0, 5)).isEmpty();
  }
}
