package io.quiesce.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoundedTextTest {

  @Test
  void shortCleanTextIsKeptAsIs() {
    assertThat(BoundedText.error("fsfreeze failed: Device or resource busy"))
        .isEqualTo("fsfreeze failed: Device or resource busy");
    assertThat(BoundedText.error(null)).isNull();
  }

  @Test
  void cleanTextWithinTheBoundIsReturnedWithoutACopy() {
    // every status message passes here, on each decode and each decision: no copy of clean text
    String clean = "waiting for a freeze slot on node-7 (50 of 50 in use): é ü ß";
    String exact = "y".repeat(BoundedText.MAX_ERROR);

    assertThat(BoundedText.message(clean)).isSameAs(clean);
    assertThat(BoundedText.error(exact)).isSameAs(exact);
    assertThat(BoundedText.error("a\u0085b")).isEqualTo("ab"); // a C1 control, in the fast range
    assertThat(BoundedText.error("a\u200Fb")).isEqualTo("ab");
  }

  @Test
  void controlCharactersAndBidiOverridesAreStrippedLineBreaksBecomeSpaces() {
    assertThat(BoundedText.error("a\u0000b\u001b[31mred\u007f\nnext\tcol\u202Eevil\u2066x"))
        .isEqualTo("ab[31mred next colevilx");
  }

  @Test
  void longTextIsCutToTheBoundWithAMarker() {
    String cut = BoundedText.error("x".repeat(500_000));

    assertThat(cut.codePointCount(0, cut.length())).isEqualTo(BoundedText.MAX_ERROR);
    assertThat(cut).endsWith(BoundedText.CUT_MARKER).startsWith("xxxx");
  }

  @Test
  void textOfExactlyTheBoundIsNotCutAndBoundingIsIdempotent() {
    String exact = "y".repeat(BoundedText.MAX_ERROR);
    assertThat(BoundedText.error(exact)).isEqualTo(exact);

    String once = BoundedText.error("z".repeat(5000));
    assertThat(BoundedText.error(once)).isEqualTo(once);
  }

  @Test
  void theCutNeverSplitsASurrogatePairAndLoneSurrogatesAreDropped() {
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    String cut = BoundedText.bound(emoji.repeat(100), 20);

    assertThat(cut.codePointCount(0, cut.length())).isEqualTo(20);
    assertThat(cut)
        .isEqualTo(emoji.repeat(20 - BoundedText.CUT_MARKER.length()) + BoundedText.CUT_MARKER);
    assertThat(BoundedText.error("a\uD800b")).isEqualTo("ab");
  }

  @Test
  void controlCharactersDoNotCountAgainstTheBound() {
    String text = "\u0000".repeat(10_000) + "ok";
    assertThat(BoundedText.error(text)).isEqualTo("ok");
  }
}
