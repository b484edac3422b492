package io.quiesce.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulePreviewCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final SchedulePreviewCommand command =
      new SchedulePreviewCommand(
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

  private int run(String... args) {
    return command.run(List.of(args), Instant.parse("2026-11-25T20:00:00Z"));
  }

  @Test
  void printsNextFiresWithTheZoneOffset() {
    int code =
        run(
            "30 2 * * *",
            "--time-zone",
            "Europe/Berlin",
            "--count",
            "3",
            "--from",
            "2026-03-27T12:00:00Z");

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00");
    assertThat(err.size()).isZero();
  }

  @Test
  void defaultsToFiveFiresFromNowInUtc() {
    assertThat(run("@daily")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .hasSize(5)
        .first()
        .isEqualTo("2026-11-26T00:00:00Z");
  }

  @Test
  void invalidExpressionIsOneLineAndExitOne() {
    assertThat(run("0 25 * * *")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "invalid schedule \"0 25 * * *\": field \"hour\": value 25 out of range 0-23");
    assertThat(out.size()).isZero();
  }

  @Test
  void invalidZoneIsOneLineAndExitOne() {
    assertThat(run("@daily", "--time-zone", "Mars/Olympus")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .hasSize(1)
        .first()
        .asString()
        .contains("unknown time zone \"Mars/Olympus\"");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("@daily", "--count", "0")).isEqualTo(2);
    assertThat(run("@daily", "--from", "yesterday")).isEqualTo(2);
    assertThat(run("@daily", "--count")).isEqualTo(2);
    assertThat(run("@daily", "@hourly")).isEqualTo(2);
  }
}
