package io.quiesce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** tinydb's index against its log, as debugfs prints them (its banner line first). */
class TinyDbCheckTest {

  private static final String BANNER = "debugfs 1.47.0 (5-Feb-2023)\n";
  // three records: 12 + 12 + 12 bytes
  private static final String LOG = "1 100.11000\n2 100.22000\n3 100.33000\n";

  @Test
  void anIndexCoveringTheWholeLogIsConsistent() {
    TinyDbCheck check = TinyDbCheck.of(BANNER + "3 36\n", Optional.of(36L), BANNER + LOG);
    assertThat(check.present()).isTrue();
    assertThat(check.consistent()).isTrue();
    assertThat(check.detail())
        .isEqualTo("tinydb index consistent (index 3 records/36 B, log 3 records/36 B)");
  }

  @Test
  void aLogAheadOfItsIndexIsNotConsistent() {
    TinyDbCheck check = TinyDbCheck.of(BANNER + "1 12\n", Optional.of(36L), BANNER + LOG);
    assertThat(check.present()).isTrue();
    assertThat(check.consistent()).isFalse();
    assertThat(check.detail()).endsWith("the log is 2 records ahead of its index)");
  }

  @Test
  void theSizeAndTheLastRecordMustBothMatch() {
    assertThat(TinyDbCheck.of("3 30\n", Optional.of(36L), LOG).consistent())
        .as("offset short of the log's size")
        .isFalse();
    assertThat(TinyDbCheck.of("2 36\n", Optional.of(36L), LOG).consistent())
        .as("count short of the last record")
        .isFalse();
    assertThat(TinyDbCheck.of("0 0\n", Optional.of(0L), BANNER).consistent())
        .as("an empty database")
        .isTrue();
  }

  @Test
  void aCopyWithoutTinyDbIsAbsentAndAMissingLogIsNotConsistent() {
    TinyDbCheck absent =
        TinyDbCheck.of(
            BANNER + "/db/index: File not found by ext2_lookup\n", Optional.empty(), BANNER);
    assertThat(absent.present()).isFalse();
    assertThat(absent.consistent()).isFalse();
    TinyDbCheck noLog = TinyDbCheck.of("3 36\n", Optional.empty(), "");
    assertThat(noLog.present()).isTrue();
    assertThat(noLog.consistent()).isFalse();
  }
}
