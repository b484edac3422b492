package io.quiesce.sandbox;

/**
 * The verdict on one snapshot image: {@code e2fsck -fn}, and the toy database's index in it.
 *
 * @param snapshot the QuiescedSnapshot the image belongs to
 * @param image file name of the image
 * @param clean whether the image exists and e2fsck exited 0
 * @param detail e2fsck's exit code, or why the image could not be checked
 * @param tinyDb whether tinydb's index matches its log in the image
 */
record ImageCheck(
    SnapshotRow snapshot, String image, boolean clean, String detail, TinyDbCheck tinyDb) {

  /** An image without tinydb. */
  ImageCheck(SnapshotRow snapshot, String image, boolean clean, String detail) {
    this(snapshot, image, clean, detail, TinyDbCheck.absent());
  }
}
