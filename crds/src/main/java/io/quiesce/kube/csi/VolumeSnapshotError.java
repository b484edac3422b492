package io.quiesce.kube.csi;

import io.quiesce.kube.OpenObject;

/** The last error of the snapshot controller or the CSI driver for a snapshot. */
public class VolumeSnapshotError extends OpenObject {
  private String message;

  /** RFC 3339 time the error was seen. */
  private String time;

  public VolumeSnapshotError() {}

  public VolumeSnapshotError(String message, String time) {
    this.message = message;
    this.time = time;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }
}
