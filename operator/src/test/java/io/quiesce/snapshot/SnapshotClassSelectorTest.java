package io.quiesce.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.snapshot.SnapshotClassSelector.Choice;
import io.quiesce.snapshot.SnapshotClassSelector.ClassInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotClassSelectorTest {
  private static final List<ClassInfo> CLASSES =
      List.of(
          new ClassInfo("hostpath-default", "hostpath.csi.k8s.io", true),
          new ClassInfo("hostpath-slow", "hostpath.csi.k8s.io", false),
          new ClassInfo("rbd", "rbd.csi.ceph.com", false),
          new ClassInfo("nfs-a", "nfs.csi.k8s.io", true),
          new ClassInfo("nfs-b", "nfs.csi.k8s.io", true));

  @Test
  void picksTheDriversDefault() {
    assertThat(
            SnapshotClassSelector.choose("disk", "hostpath.csi.k8s.io", null, CLASSES).className())
        .isEqualTo("hostpath-default");
  }

  @Test
  void honoursAnExplicitClassOfTheRightDriver() {
    assertThat(
            SnapshotClassSelector.choose("disk", "hostpath.csi.k8s.io", "hostpath-slow", CLASSES)
                .className())
        .isEqualTo("hostpath-slow");
  }

  @Test
  void explainsEveryRefusal() {
    Choice missing = SnapshotClassSelector.choose("disk", "hostpath.csi.k8s.io", "gone", CLASSES);
    Choice wrongDriver =
        SnapshotClassSelector.choose("disk", "hostpath.csi.k8s.io", "rbd", CLASSES);
    Choice noDefault = SnapshotClassSelector.choose("disk", "rbd.csi.ceph.com", null, CLASSES);
    Choice twoDefaults = SnapshotClassSelector.choose("disk", "nfs.csi.k8s.io", null, CLASSES);
    Choice notCsi = SnapshotClassSelector.choose("disk", null, null, CLASSES);

    assertThat(missing.ok()).isFalse();
    assertThat(missing.reason()).isEqualTo("VolumeSnapshotClassNotFound");
    assertThat(wrongDriver.reason()).isEqualTo("VolumeSnapshotClassMismatch");
    assertThat(wrongDriver.message()).contains("rbd.csi.ceph.com", "hostpath.csi.k8s.io");
    assertThat(noDefault.reason()).isEqualTo("NoVolumeSnapshotClass");
    assertThat(noDefault.message()).contains("rbd.csi.ceph.com", "spec.volumeSnapshotClassName");
    assertThat(twoDefaults.reason()).isEqualTo("AmbiguousDefaultVolumeSnapshotClass");
    assertThat(twoDefaults.message()).contains("nfs-a", "nfs-b");
    assertThat(notCsi.reason()).isEqualTo("NoVolumeSnapshotClass");
  }
}
