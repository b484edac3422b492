package io.quiesce.sandbox;

import io.quiesce.api.v1alpha1.CommonWindow;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GroupMember;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The freeze windows of a group snapshot ({@code spec.sources}): each VM's, from {@code
 * status.members[].freeze}, and the common window in which all were frozen ({@code
 * status.commonWindow}).
 *
 * @param members each VM's window, in member order
 * @param commonStart the last freeze reply, null when no common window was recorded
 * @param commonEnd the first unfreeze request
 * @param commonMs {@code status.commonWindow.durationMs}
 */
record GroupWindows(
    List<MemberWindow> members, Instant commonStart, Instant commonEnd, Long commonMs) {

  /** One VM's freeze window; start and end are null when it was not frozen. */
  record MemberWindow(String vm, boolean frozen, Instant start, Instant end, Long durationMs) {}

  static GroupWindows of(List<GroupMember> members, CommonWindow common) {
    List<MemberWindow> windows =
        members == null
            ? List.of()
            : members.stream()
                .map(
                    m -> {
                      FreezeRecord f = m.getFreeze();
                      return new MemberWindow(
                          m.getVm(),
                          Boolean.TRUE.equals(m.getFrozen()),
                          f == null ? null : time(f.getStartTime()),
                          f == null ? null : time(f.getEndTime()),
                          f == null ? null : f.getDurationMs());
                    })
                .toList();
    return new GroupWindows(
        windows,
        common == null ? null : time(common.getStartTime()),
        common == null ? null : time(common.getEndTime()),
        common == null ? null : common.getDurationMs());
  }

  /** Whether every VM's window and the common window are recorded, so they can be drawn. */
  boolean drawable() {
    return commonStart != null
        && commonEnd != null
        && !members.isEmpty()
        && members.stream().allMatch(m -> m.start() != null && m.end() != null);
  }

  private static Instant time(String rfc3339) {
    return Optional.ofNullable(rfc3339).map(Instant::parse).orElse(null);
  }
}
