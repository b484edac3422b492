package io.quiesce.naming;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChildNamesTest {
  private static final Instant FIRE = Instant.parse("2026-11-25T02:30:00Z");
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

  @Test
  void aGroupRestoreNamesEachMembersVmAndClaimsApart() {
    assertThat(ChildNames.restoredGroupVm("copy", "db")).isEqualTo("copy--db");
    String longPrefix = "a-very-long-restore-target-prefix-for-a-group";
    String vm = ChildNames.restoredGroupVm(longPrefix, "database-primary-01");
    assertThat(vm).hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH).matches(DNS_LABEL);
    assertThat(vm).isNotEqualTo(ChildNames.restoredGroupVm(longPrefix, "database-primary-02"));
    // two members with a volume of the same name get two PVCs, never a one-VM restore's name
    String app = ChildNames.restoredGroupClaim("copy", "app", "data");
    String db = ChildNames.restoredGroupClaim("copy", "db", "data");
    assertThat(app).isNotEqualTo(db).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
    assertThat(app).isNotEqualTo(ChildNames.restoredClaim("copy", "data"));
    assertThat(app).isEqualTo(ChildNames.restoredGroupClaim("copy", "app", "data"));
  }

  @Test
  void shortNamesAreReadable() {
    assertThat(ChildNames.scheduledSnapshot("nightly", "db-01", FIRE))
        .isEqualTo("nightly--db-01-20261125-0230");
    assertThat(ChildNames.volumeSnapshot("nightly--db-01-20261125-0230", "rootdisk"))
        .isEqualTo("nightly--db-01-20261125-0230--rootdisk");
  }

  @Test
  void aGroupFireIsNamedAfterTheScheduleAndTheTimeAndFitsTheBudget() {
    assertThat(ChildNames.scheduledGroupSnapshot("nightly", FIRE))
        .isEqualTo("nightly--20261125-0230");
    String longName = "a".repeat(60) + ".shop";
    String g = ChildNames.scheduledGroupSnapshot(longName, FIRE);
    assertThat(g).hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH).contains("20261125-0230");
    assertThat(ChildNames.scheduledGroupSnapshot(longName, FIRE)).isEqualTo(g);
    assertThat(ChildNames.scheduledGroupSnapshot(longName, FIRE.plusSeconds(60))).isNotEqualTo(g);
    // schedule "a--b" as a group and schedule "a" with VM "b" per VM: different names
    assertThat(ChildNames.scheduledGroupSnapshot("a--b", FIRE))
        .isNotEqualTo(ChildNames.scheduledSnapshot("a", "b", FIRE));
  }

  @Test
  void sameInputsSameNameSoARepeatedFireCreatesNothingTwice() {
    assertThat(ChildNames.scheduledSnapshot("nightly", "db-01", FIRE))
        .isEqualTo(
            ChildNames.scheduledSnapshot(
                "nightly", "db-01", Instant.parse("2026-11-25T02:30:59Z")));
    assertThat(ChildNames.scheduledSnapshot("nightly", "db-01", FIRE))
        .isNotEqualTo(
            ChildNames.scheduledSnapshot(
                "nightly", "db-01", Instant.parse("2026-11-25T02:31:00Z")));
  }

  @Test
  void longNamesFitTheBudgetStayUniqueAndKeepTheTime() {
    String vm = "a-very-long-virtual-machine-name-that-goes-on-and-on.with.dots-" + "x".repeat(150);
    String schedule = "a-schedule-with-a-long-name-as-well-" + "y".repeat(200);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String name = ChildNames.scheduledSnapshot(schedule, vm + i, FIRE);
      assertThat(name)
          .hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH)
          .matches(DNS_LABEL)
          .contains("-20261125-0230--")
          .startsWith("a-schedule-with");
      assertThat(seen.add(name)).as("unique: %s", name).isTrue();
    }
  }

  @Test
  void partsThatDifferOnlyPastTheCutGetDifferentNames() {
    String prefix = "p".repeat(80);
    assertThat(ChildNames.volumeSnapshot(prefix + "a", "disk"))
        .isNotEqualTo(ChildNames.volumeSnapshot(prefix + "b", "disk"));
    // "ab"+"c" and "a"+"bc" must not collide either
    assertThat(ChildNames.volumeSnapshot("x".repeat(70) + "ab", "c"))
        .isNotEqualTo(ChildNames.volumeSnapshot("x".repeat(70) + "a", "bc"));
  }

  @Test
  void labelValuesAreValidAndStable() {
    assertThat(ChildNames.labelValue("db-01")).isEqualTo("db-01");
    String longVm = "vm." + "z".repeat(100);
    String value = ChildNames.labelValue(longVm);
    assertThat(value)
        .hasSizeLessThanOrEqualTo(63)
        .matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
        .isEqualTo(ChildNames.labelValue(longVm))
        .isNotEqualTo(ChildNames.labelValue(longVm + "1"));
  }

  @Test
  void joiningIsUnambiguous() {
    assertThat(ChildNames.scheduledSnapshot("a-b", "c", FIRE))
        .isNotEqualTo(ChildNames.scheduledSnapshot("a", "b-c", FIRE));
    assertThat(ChildNames.volumeSnapshot("a-b", "c"))
        .isNotEqualTo(ChildNames.volumeSnapshot("a", "b-c"));
    assertThat(ChildNames.volumeSnapshot("a--b", "c"))
        .isNotEqualTo(ChildNames.volumeSnapshot("a", "b--c"));
  }

  @Test
  void namesThatSanitiseAlikeGetDifferentNames() {
    assertThat(ChildNames.scheduledSnapshot("nightly", "db.1", FIRE))
        .isNotEqualTo(ChildNames.scheduledSnapshot("nightly", "db-1", FIRE))
        .matches(DNS_LABEL);
    assertThat(ChildNames.volumeSnapshot("snap", "Disk_1"))
        .isNotEqualTo(ChildNames.volumeSnapshot("snap", "disk-1"));
  }

  @Test
  void aReadableNameNeverEqualsAHashedOne() {
    String hashed = ChildNames.volumeSnapshot("snap", "db.1");
    int cut = hashed.lastIndexOf("--");
    // a second part shaped like the hash is not used as it is, so it cannot reproduce the hashed
    // name
    assertThat(ChildNames.volumeSnapshot(hashed.substring(0, cut), hashed.substring(cut + 2)))
        .isNotEqualTo(hashed);
  }

  /**
   * Every pair from a small alphabet of parts, with and without the ambiguous characters: no two
   * share a name.
   */
  @Test
  void injectiveOverManyAwkwardPairs() {
    String[] parts = {
      "a",
      "b",
      "c",
      "a-b",
      "b-c",
      "a--b",
      "b--c",
      "a.b",
      "A-b",
      "ab",
      "a-b-c",
      "x1",
      "1x",
      "db.1",
      "db-1",
      "db_1",
      "a-",
      "-a",
      "0123456789ab",
      "c-0123456789ab"
    };
    java.util.Map<String, String> schedSeen = new java.util.HashMap<>();
    java.util.Map<String, String> volSeen = new java.util.HashMap<>();
    for (String x : parts) {
      for (String y : parts) {
        String s = ChildNames.scheduledSnapshot(x, y, FIRE);
        assertThat(s).hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH).matches(DNS_LABEL);
        assertThat(schedSeen.put(s, x + "|" + y)).as("scheduled %s from %s|%s", s, x, y).isNull();
        String v = ChildNames.volumeSnapshot(x, y);
        assertThat(v).hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH).matches(DNS_LABEL);
        assertThat(volSeen.put(v, x + "|" + y)).as("volume %s from %s|%s", v, x, y).isNull();
      }
    }
    // a group snapshot of a schedule never takes a per-VM snapshot's name, nor another group's
    for (String x : parts) {
      for (String time : new String[] {"", "-20261125-0230"}) {
        String schedule = x + time; // a schedule named like a per-VM name's prefix
        String g = ChildNames.scheduledGroupSnapshot(schedule, FIRE);
        assertThat(g).hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH).matches(DNS_LABEL);
        assertThat(schedSeen.put(g, schedule + "|(group)"))
            .as("group %s from %s", g, schedule)
            .isNull();
      }
    }
  }
}
