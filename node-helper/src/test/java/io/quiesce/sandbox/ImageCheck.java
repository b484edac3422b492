package io.quiesce.sandbox;

/**
 * The {@code e2fsck -fn} verdict on one snapshot image.
 *
 * @param snapshot the QuiescedSnapshot the image belongs to
 * @param image file name of the image
 * @param clean whether the image exists and e2fsck exited 0
 * @param detail e2fsck's exit code, or why the image could not be checked
 */
record ImageCheck(SnapshotRow snapshot, String image, boolean clean, String detail) {}
