package io.quiesce.snapshot;

import io.quiesce.status.Reason;
import java.util.List;
import java.util.Optional;

/**
 * Picks the VolumeSnapshotClass for one PVC the way users expect from the CSI snapshot controller:
 * the class named in the spec (which must exist and belong to the PVC's CSI driver), else the one
 * class of that driver annotated {@code snapshot.storage.kubernetes.io/is-default-class: "true"}.
 */
public final class SnapshotClassSelector {
  /** Annotation that marks a VolumeSnapshotClass as its driver's default. */
  public static final String DEFAULT_CLASS_ANNOTATION =
      "snapshot.storage.kubernetes.io/is-default-class";

  private SnapshotClassSelector() {}

  /** What the selector needs of a VolumeSnapshotClass. */
  public record ClassInfo(String name, String driver, boolean isDefault) {}

  /** The choice, or why there is none ({@code reason} is a condition reason). */
  public record Choice(String className, String reason, String message) {
    public boolean ok() {
      return className != null;
    }
  }

  public static Choice choose(
      String pvc, String driver, String requested, List<ClassInfo> classes) {
    if (driver == null) {
      return new Choice(
          null,
          Reason.NO_VOLUME_SNAPSHOT_CLASS.wire(),
          "PersistentVolumeClaim "
              + pvc
              + " is not provisioned by a CSI driver, so it cannot be snapshotted");
    }
    if (requested != null) {
      Optional<ClassInfo> named =
          classes.stream().filter(c -> c.name().equals(requested)).findFirst();
      if (named.isEmpty()) {
        return new Choice(
            null,
            Reason.VOLUME_SNAPSHOT_CLASS_NOT_FOUND.wire(),
            "VolumeSnapshotClass " + requested + " does not exist");
      }
      if (!driver.equals(named.get().driver())) {
        return new Choice(
            null,
            Reason.VOLUME_SNAPSHOT_CLASS_MISMATCH.wire(),
            "VolumeSnapshotClass "
                + requested
                + " is for driver "
                + named.get().driver()
                + ", but PersistentVolumeClaim "
                + pvc
                + " uses "
                + driver);
      }
      return new Choice(requested, null, null);
    }
    List<ClassInfo> defaults =
        classes.stream().filter(c -> driver.equals(c.driver()) && c.isDefault()).toList();
    if (defaults.isEmpty()) {
      return new Choice(
          null,
          Reason.NO_VOLUME_SNAPSHOT_CLASS.wire(),
          "no default VolumeSnapshotClass for driver "
              + driver
              + " (needed by PersistentVolumeClaim "
              + pvc
              + "); name one in spec.volumeSnapshotClassName");
    }
    if (defaults.size() > 1) {
      return new Choice(
          null,
          Reason.AMBIGUOUS_DEFAULT_VOLUME_SNAPSHOT_CLASS.wire(),
          "driver "
              + driver
              + " has "
              + defaults.size()
              + " default VolumeSnapshotClasses: "
              + defaults.stream().map(ClassInfo::name).sorted().toList());
    }
    return new Choice(defaults.get(0).name(), null, null);
  }
}
