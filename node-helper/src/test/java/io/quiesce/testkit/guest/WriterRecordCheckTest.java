package io.quiesce.testkit.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The writer-record check reads the last freeze off the guest's console. */
class WriterRecordCheckTest {
  private static final String CONSOLE =
      """
            W 10 3.10
            H 3.2
            [guest 3.30] HOOK freeze
            W 11 3.31
            H 4.2
            [guest 5.00] HOOK thaw
            W 12 5.02
            W 13 5.10
            [guest 9.00] HOOK freeze
            W 20 9.01
            [guest 9.50] HOOK thaw
            W 21 9.52
            """;

  @Test
  void checksAgainstTheLastFreeze() {
    WriterRecordCheck check = WriterRecordCheck.of(CONSOLE, "19 8.9\n20 9.01\n");
    assertThat(check.lastBeforeFreeze()).isEqualTo(13);
    assertThat(check.firstAfterThaw()).isEqualTo(21);
    assertThat(check.restoredLast()).isEqualTo(20);
    assertThat(check.holds()).isTrue();
    assertThat(check.summary()).contains("OK (between)");
  }

  @Test
  void aDiskOlderThanTheFreezeOrNewerThanTheThawFails() {
    assertThat(WriterRecordCheck.of(CONSOLE, "12 5.02\n").holds()).isFalse();
    assertThat(WriterRecordCheck.of(CONSOLE, "22 9.60\n").holds()).isFalse();
    assertThat(WriterRecordCheck.of(CONSOLE, "22 9.60\n").summary()).contains("FAILED");
  }

  @Test
  void theRecordInFlightAcrossTheFreezeMayBeOnTheCopy() {
    // appended before the freeze (the freeze flushed it), fsync'ed and printed after the thaw
    assertThat(WriterRecordCheck.of(CONSOLE, "20 9.01\n21 9.52\n").holds()).isTrue();
  }

  @Test
  void aConsoleWithoutACompleteFreezeCannotBeChecked() {
    assertThatThrownBy(() -> WriterRecordCheck.of("W 1 0.1\n[guest 1] HOOK freeze\n", "1 0.1"))
        .hasMessageContaining("no thaw");
    assertThatThrownBy(() -> WriterRecordCheck.of("W 1 0.1\n", "1 0.1"))
        .hasMessageContaining("no freeze");
  }
}
