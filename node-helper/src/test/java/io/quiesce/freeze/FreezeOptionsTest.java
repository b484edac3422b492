package io.quiesce.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreezeOptionsTest {

  @Test
  void refusesANonPositiveTimeout() {
    assertThatThrownBy(() -> FreezeOptions.allFilesystems(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FreezeOptions.allFilesystems(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesMountpointsNoGuestHas() {
    assertThatThrownBy(() -> new FreezeOptions(List.of(" "), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FreezeOptions(List.of("/data\n/etc"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/data?/etc");
  }

  @Test
  void keepsAnImmutableCopyOfTheMountpoints() {
    List<String> mountpoints = new java.util.ArrayList<>(List.of("/data", "C:\\"));
    FreezeOptions options = new FreezeOptions(mountpoints, Duration.ofSeconds(1));
    mountpoints.clear();

    assertThat(options.mountpoints()).containsExactly("/data", "C:\\");
  }
}
