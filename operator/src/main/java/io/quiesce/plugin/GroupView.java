package io.quiesce.plugin;

import io.quiesce.api.v1alpha1.CommonWindow;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.GroupMember;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotStatus;
import io.quiesce.api.v1alpha1.VolumeSnapshotRecord;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the plugin shows a group snapshot ({@code spec.sources}): its VMs, the common window, and per
 * member whether it was frozen, its own window and its VolumeSnapshots.
 */
final class GroupView {
  private GroupView() {}

  static boolean isGroup(QuiescedSnapshot s) {
    return s.getSpec() != null && s.getSpec().getSources() != null;
  }

  /** The group's VMs: the members recorded, else the names asked for, else its selector. */
  static List<String> vms(QuiescedSnapshot s) {
    QuiescedSnapshotStatus st = s.getStatus();
    if (st != null && st.getMembers() != null && !st.getMembers().isEmpty()) {
      return st.getMembers().stream().map(GroupMember::getVm).toList();
    }
    if (s.getSpec().getSources().getVms() != null) {
      return s.getSpec().getSources().getVms();
    }
    return List.of();
  }

  /** What the group was asked to freeze, for "created of ...". */
  static String source(QuiescedSnapshot s) {
    if (s.getSpec().getSources().getVms() != null) {
      return "group of VMs " + String.join(", ", s.getSpec().getSources().getVms());
    }
    return "group of the VMs selected by "
        + Objects.toString(s.getSpec().getSources().getVmSelector(), "?");
  }

  /** "412 ms (start .. end)", or "none". */
  static String commonWindow(QuiescedSnapshotStatus st) {
    CommonWindow w = st == null ? null : st.getCommonWindow();
    if (w == null || w.getDurationMs() == null) {
      return "none";
    }
    return w.getDurationMs() + " ms (" + w.getStartTime() + " .. " + w.getEndTime() + ")";
  }

  static String commonMs(QuiescedSnapshotStatus st) {
    CommonWindow w = st == null ? null : st.getCommonWindow();
    return w == null || w.getDurationMs() == null ? "-" : String.valueOf(w.getDurationMs());
  }

  /** The members block of {@code describe}: one line per VM, then one per VolumeSnapshot. */
  static void printMembers(PrintStream out, QuiescedSnapshotStatus st) {
    out.println("  common window: " + commonWindow(st));
    List<GroupMember> members = st == null ? null : st.getMembers();
    if (members == null || members.isEmpty()) {
      out.println("  members: none recorded yet");
      return;
    }
    out.println("  members:");
    for (GroupMember m : members) {
      out.println("    " + m.getVm() + "  " + memberState(m));
      if (m.getVolumeSnapshots() != null) {
        for (VolumeSnapshotRecord r : m.getVolumeSnapshots()) {
          out.println(
              "      "
                  + r.getVolume()
                  + " -> volumesnapshot/"
                  + Objects.toString(r.getVolumeSnapshotName(), "(not named yet)")
                  + (Boolean.TRUE.equals(r.getReadyToUse()) ? " (ready)" : "")
                  + (r.getError() != null ? " (error: " + r.getError() + ")" : ""));
        }
      }
    }
  }

  /** "frozen 530 ms (start .. end, thawed by Cut)" or "not frozen (reason: error)". */
  static String memberState(GroupMember m) {
    FreezeRecord f = m.getFreeze();
    if (Boolean.TRUE.equals(m.getFrozen()) && f != null) {
      return "frozen "
          + (f.getDurationMs() == null ? "?" : f.getDurationMs())
          + " ms ("
          + f.getStartTime()
          + " .. "
          + f.getEndTime()
          + ", thawed by "
          + Objects.toString(f.getThawedBy(), "?")
          + ")";
    }
    if (m.getFrozen() == null) {
      return "planned";
    }
    List<String> why = new ArrayList<>();
    if (f != null && f.getReason() != null) {
      why.add(f.getReason());
    }
    if (f != null && f.getError() != null) {
      why.add(f.getError());
    }
    return "not frozen" + (why.isEmpty() ? "" : " (" + String.join(": ", why) + ")");
  }

  /** The timeline entries of a group's members: each frozen, cut and thawed. */
  static void addTimeline(List<String[]> events, QuiescedSnapshotStatus st) {
    if (st == null || st.getMembers() == null) {
      return;
    }
    for (GroupMember m : st.getMembers()) {
      FreezeRecord f = m.getFreeze();
      if (Boolean.TRUE.equals(m.getFrozen()) && f != null && f.getStartTime() != null) {
        events.add(new String[] {f.getStartTime(), "frozen", m.getVm()});
      }
      if (m.getVolumeSnapshots() != null) {
        for (VolumeSnapshotRecord r : m.getVolumeSnapshots()) {
          if (r.getCreationTime() != null) {
            events.add(
                new String[] {
                  r.getCreationTime(),
                  "cut",
                  m.getVm()
                      + "/"
                      + r.getVolume()
                      + " -> volumesnapshot/"
                      + r.getVolumeSnapshotName()
                });
          }
        }
      }
      if (Boolean.TRUE.equals(m.getFrozen()) && f != null && f.getEndTime() != null) {
        events.add(
            new String[] {
              f.getEndTime(),
              "thawed",
              m.getVm()
                  + " by "
                  + Objects.toString(f.getThawedBy(), "?")
                  + (f.getDurationMs() == null ? "" : " after " + f.getDurationMs() + " ms frozen")
            });
      }
    }
  }
}
