package io.quiesce.freeze;

import static io.quiesce.freeze.EngineFixture.VM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's meters, as Prometheus scrapes them. */
class FreezeMetricsTest {
  private final EngineFixture fixture = new EngineFixture();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void everyMeterIsExportedWithTheHelperPrefixBeforeAnyFreeze() {
    String scrape = fixture.registry.scrape();

    assertThat(scrape)
        .contains(
            "quiesce_helper_freeze_duration_seconds_count 0",
            "quiesce_helper_thaw_duration_seconds_count 0",
            "quiesce_helper_watchdog_thaws_total 0.0",
            "quiesce_helper_recovery_thaws_total 0.0",
            "quiesce_helper_thaw_giveups_total 0.0",
            "quiesce_helper_frozen_guests 0.0",
            "quiesce_helper_needs_thaw_guests 0.0");
  }

  @Test
  void aFreezeRecordsItsDurationsOutcomeAndTheFrozenGauge() {
    FreezeSession session =
        fixture.engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5)));
    assertThat(fixture.scraped("quiesce_helper_frozen_guests")).isEqualTo(1.0);

    FreezeWindow window = session.thaw();

    assertThat(fixture.scraped("quiesce_helper_frozen_guests")).isEqualTo(0.0);
    assertThat(fixture.scraped("quiesce_helper_freeze_duration_seconds_count")).isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_freeze_duration_seconds_sum"))
        .isCloseTo(window.durationMs() / 1000.0, org.assertj.core.data.Offset.offset(0.002));
    assertThat(fixture.scraped("quiesce_helper_thaw_duration_seconds_count")).isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_freeze_outcomes_total{reason=\"Thawed\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void refusedFreezesAreCountedByReason() {
    FreezeSession session =
        fixture.engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5)));
    assertThatThrownBy(
            () -> fixture.engine.freeze(VM, FreezeOptions.allFilesystems(Duration.ofSeconds(5))))
        .isInstanceOf(FreezeInProgressException.class);
    session.thaw();

    assertThat(fixture.scraped("quiesce_helper_freeze_outcomes_total{reason=\"FreezeInProgress\"}"))
        .isEqualTo(1.0);
    assertThat(fixture.scraped("quiesce_helper_freeze_outcomes_total{reason=\"Thawed\"}"))
        .isEqualTo(1.0);
  }
}
