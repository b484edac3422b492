package io.quiesce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SandboxTest {

  @Test
  void snapshotImagesStayInTheSnapshotDir() {
    assertThat(Sandbox.snapshotImage(Path.of("/tmp/sbx"), "sandbox", "s-guest-1-data"))
        .isEqualTo(Path.of("/tmp/sbx/snapshots/sandbox_s-guest-1-data.img"));
    assertThatThrownBy(
            () -> Sandbox.snapshotImage(Path.of("/tmp/sbx"), "sandbox", "../../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sandbox.snapshotImage(Path.of("/tmp/sbx"), "..", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
