package io.quiesce.naming;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThawRequestTest {
  @Test
  void newTokensAreValidAndDistinct() {
    Instant now = Instant.parse("2026-12-06T03:15:00Z");
    String a = ThawRequest.newToken(now);
    String b = ThawRequest.newToken(now);
    assertThat(a).startsWith("20261206-031500-").hasSize(28).isNotEqualTo(b);
    assertThat(ThawRequest.isValidToken(a)).isTrue();
  }

  @Test
  void onlyShortLowerCaseTokensAreValid() {
    assertThat(ThawRequest.isValidToken("abcd-123")).isTrue();
    assertThat(ThawRequest.isValidToken("a".repeat(63))).isTrue();
    assertThat(ThawRequest.isValidToken("a".repeat(64))).as("too long").isFalse();
    assertThat(ThawRequest.isValidToken("abc")).as("too short").isFalse();
    assertThat(ThawRequest.isValidToken("-abcdefgh")).as("leading dash").isFalse();
    assertThat(ThawRequest.isValidToken("Not A Token; rm -rf /")).isFalse();
    assertThat(ThawRequest.isValidToken("abcdefgh\n")).isFalse();
    assertThat(ThawRequest.isValidToken(null)).isFalse();
  }

  @Test
  void aRequestIsPendingUntilItsTokenIsAnswered() {
    assertThat(ThawRequest.pending(null)).isEmpty();
    assertThat(ThawRequest.pending(Map.of())).isEmpty();
    assertThat(ThawRequest.pending(Map.of(ThawRequest.REQUESTED, "token-01"))).contains("token-01");
    assertThat(
            ThawRequest.pending(
                Map.of(ThawRequest.REQUESTED, "token-02", ThawRequest.DONE, "token-01")))
        .contains("token-02");
    assertThat(
            ThawRequest.pending(
                Map.of(ThawRequest.REQUESTED, "token-01", ThawRequest.DONE, "token-01")))
        .as("the same token again is no request")
        .isEmpty();
  }

  @Test
  void resultsAreOneBoundedLineWithTheirOutcomeFirst() {
    String result = ThawRequest.result(ThawRequest.Outcome.Failed, "x\ny ".repeat(200));
    assertThat(result)
        .hasSize(ThawRequest.MAX_RESULT)
        .startsWith("Failed: x y")
        .doesNotContain("\n");
    assertThat(ThawRequest.outcomeOf(result)).isEqualTo(ThawRequest.Outcome.Failed);
    assertThat(ThawRequest.outcomeOf("Thawed: fine")).isEqualTo(ThawRequest.Outcome.Thawed);
    assertThat(ThawRequest.outcomeOf("NotFrozen: fine").thawed()).isTrue();
    assertThat(ThawRequest.outcomeOf("Thawedish")).isEqualTo(ThawRequest.Outcome.Failed);
    assertThat(ThawRequest.outcomeOf(null)).isEqualTo(ThawRequest.Outcome.Failed);
  }
}
