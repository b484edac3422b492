package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatusTest {

  @Test
  void readsResidentAndPeakFromProcStatusText() {
    ProcStatus status =
        ProcStatus.parse(
            "Name:\tjava\nVmPeak:\t 3000000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n");
    assertThat(status.rssKiB()).isEqualTo(102400);
    assertThat(status.hwmKiB()).isEqualTo(204800);
    assertThat(status.rssMiB()).isEqualTo(100.0);
  }

  @Test
  void readsThisProcess() throws Exception {
    ProcStatus self = ProcStatus.of(ProcessHandle.current().pid());
    assertThat(self.rssKiB()).isPositive();
    assertThat(self.hwmKiB()).isGreaterThanOrEqualTo(self.rssKiB());
  }

  @Test
  void failsClearlyWithoutTheFields() {
    assertThatThrownBy(() -> ProcStatus.parse("Name:\tkthreadd\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VmRSS");
  }
}
