package io.quiesce.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedLineBufferTest {

  @Test
  void splitsLinesOnBytesAndKeepsTheDelimiterByte() throws IOException {
    BoundedLineBuffer lines = new BoundedLineBuffer(4096);
    InputStream in = new ByteArrayInputStream(bytes("{\"error\": {}}\n\u00ff{\"return\": 7}\n"));
    assertThat(lines.pollLine()).isNull();
    lines.readFrom(in);
    assertThat(lines.pollLine()).isEqualTo(bytes("{\"error\": {}}"));
    assertThat(lines.pollLine()).isEqualTo(bytes("\u00ff{\"return\": 7}"));
    assertThat(lines.pollLine()).isNull();
    assertThat(lines.readFrom(in)).isEqualTo(-1);
  }

  @Test
  void assemblesALineArrivingInPieces() throws IOException {
    BoundedLineBuffer lines = new BoundedLineBuffer(4096);
    lines.readFrom(new ByteArrayInputStream(bytes("{\"retu")));
    assertThat(lines.pollLine()).isNull();
    assertThat(lines.pendingBytes()).isEqualTo(6);
    lines.readFrom(new ByteArrayInputStream(bytes("rn\": 1}\n")));
    assertThat(lines.pollLine()).isEqualTo(bytes("{\"return\": 1}"));
  }

  @Test
  void acceptsALineOfExactlyTheLimit() throws IOException {
    int limit = 10_000;
    BoundedLineBuffer lines = new BoundedLineBuffer(limit);
    InputStream in = new ByteArrayInputStream(bytes("a".repeat(limit) + "\n"));
    byte[] line;
    while ((line = lines.pollLine()) == null) {
      lines.readFrom(in);
    }
    assertThat(line).hasSize(limit);
  }

  @Test
  void endlessBytesWithoutNewlineFailAtTheLimitAndTheBufferNeverGrowsPastIt() {
    int limit = 100_000;
    BoundedLineBuffer lines = new BoundedLineBuffer(limit);
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 'x';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
            return len;
          }
        };
    assertThatThrownBy(
            () -> {
              while (lines.pollLine() == null) {
                lines.readFrom(endless);
                assertThat(lines.capacity()).isLessThanOrEqualTo(limit + 1);
              }
            })
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("longer than " + limit);
    assertThat(lines.capacity()).isLessThanOrEqualTo(limit + 1);
  }

  @Test
  void manyShortLinesReuseTheBufferInsteadOfGrowingIt() throws IOException {
    BoundedLineBuffer lines = new BoundedLineBuffer(4096);
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      stream.append("{\"return\": ").append(i).append("}\n");
    }
    InputStream in = new ByteArrayInputStream(bytes(stream.toString()));
    int seen = 0;
    while (seen < 10_000) {
      byte[] line = lines.pollLine();
      if (line == null) {
        assertThat(lines.readFrom(in)).isPositive();
        continue;
      }
      assertThat(new String(line, StandardCharsets.ISO_8859_1))
          .isEqualTo("{\"return\": " + seen + "}");
      seen++;
    }
    assertThat(lines.capacity()).isLessThanOrEqualTo(4097);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
