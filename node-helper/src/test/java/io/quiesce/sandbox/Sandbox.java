package io.quiesce.sandbox;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What the sandbox's processes agree on: the namespace of the sample VMs, the PVC annotation that
 * names a guest's data-disk image, and where snapshot images go.
 */
public final class Sandbox {

  /** Namespace of the sandbox's VMs, schedule and snapshots. */
  public static final String NAMESPACE = "sandbox";

  /** Namespace of the operator and the node helper (the helper's heartbeat Lease lives here). */
  static final String SYSTEM_NAMESPACE = "quiesce-system";

  /** Label on every sandbox VM; the schedule selects it. */
  static final String VM_LABEL = "sandbox.quiesce.io/guest";

  /** PVC annotation: absolute path of the raw image backing the claim (the guest's data disk). */
  static final String IMAGE_ANNOTATION = "sandbox.quiesce.io/disk-image";

  /**
   * VM label: "true" for the guests the hooked schedule snapshots, "false" for the others (the
   * application-consistency contrast).
   */
  static final String HOOKS_LABEL = "sandbox.quiesce.io/hooks";

  /** Name of the schedule the seed creates (with the tinydb hooks where hooks can run). */
  static final String SCHEDULE = "sandbox";

  /** Name of the contrast's schedule without hooks. */
  static final String SCHEDULE_WITHOUT_HOOKS = "sandbox-nohooks";

  private static final Pattern KUBE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private Sandbox() {}

  /**
   * Where the image of a VolumeSnapshot goes: {@code <dir>/snapshots/<ns>_<name>.img}, checked to
   * stay there.
   */
  static Path snapshotImage(Path sandboxDir, String namespace, String name) {
    if (!KUBE_NAME.matcher(namespace).matches() || !KUBE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a Kubernetes object name: " + namespace + "/" + name);
    }
    Path dir = snapshotDir(sandboxDir);
    Path image = dir.resolve(namespace + "_" + name + ".img").normalize();
    if (!image.getParent().equals(dir)) {
      throw new IllegalArgumentException("snapshot image path leaves " + dir + ": " + image);
    }
    return image;
  }

  /** Where the snapshotter writes snapshot images: {@code <sandbox dir>/snapshots}. */
  public static Path snapshotDir(Path sandboxDir) {
    return sandboxDir.toAbsolutePath().normalize().resolve("snapshots");
  }
}
