package io.quiesce.agent;

import java.util.List;

/**
 * One entry of {@code guest-get-fsinfo}.
 *
 * @param name device name in the guest, e.g. {@code vda}
 * @param mountpoint where it is mounted, e.g. {@code /data}
 * @param type filesystem type, e.g. {@code ext4}
 * @param disks serial numbers (or device paths when no serial) of the disks under it
 */
public record GuestFilesystem(String name, String mountpoint, String type, List<String> disks) {}
