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
    void shortNamesAreReadable() {
        assertThat(ChildNames.scheduledSnapshot("nightly", "db-01", FIRE)).isEqualTo("nightly-db-01-20261125-0230");
        assertThat(ChildNames.volumeSnapshot("nightly-db-01-20261125-0230", "rootdisk"))
                .isEqualTo("nightly-db-01-20261125-0230-rootdisk");
    }

    @Test
    void sameInputsSameNameSoARepeatedFireCreatesNothingTwice() {
        assertThat(ChildNames.scheduledSnapshot("nightly", "db-01", FIRE))
                .isEqualTo(ChildNames.scheduledSnapshot("nightly", "db-01", Instant.parse("2026-11-25T02:30:59Z")));
        assertThat(ChildNames.scheduledSnapshot("nightly", "db-01", FIRE))
                .isNotEqualTo(ChildNames.scheduledSnapshot("nightly", "db-01", Instant.parse("2026-11-25T02:31:00Z")));
    }

    @Test
    void longNamesFitTheBudgetStayUniqueAndKeepTheTime() {
        String vm = "a-very-long-virtual-machine-name-that-goes-on-and-on.with.dots-" + "x".repeat(150);
        String schedule = "a-schedule-with-a-long-name-as-well-" + "y".repeat(200);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String name = ChildNames.scheduledSnapshot(schedule, vm + i, FIRE);
            assertThat(name).hasSizeLessThanOrEqualTo(ChildNames.MAX_LENGTH).matches(DNS_LABEL)
                    .contains("-20261125-0230-").startsWith("a-schedule-with");
            assertThat(seen.add(name)).as("unique: %s", name).isTrue();
        }
    }

    @Test
    void partsThatDifferOnlyPastTheCutGetDifferentNames() {
        String prefix = "p".repeat(80);
        assertThat(ChildNames.volumeSnapshot(prefix + "a", "disk")).isNotEqualTo(ChildNames.volumeSnapshot(prefix + "b", "disk"));
        // "ab"+"c" and "a"+"bc" must not collide either
        assertThat(ChildNames.volumeSnapshot("x".repeat(70) + "ab", "c"))
                .isNotEqualTo(ChildNames.volumeSnapshot("x".repeat(70) + "a", "bc"));
    }

    @Test
    void labelValuesAreValidAndStable() {
        assertThat(ChildNames.labelValue("db-01")).isEqualTo("db-01");
        String longVm = "vm." + "z".repeat(100);
        String value = ChildNames.labelValue(longVm);
        assertThat(value).hasSizeLessThanOrEqualTo(63).matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
                .isEqualTo(ChildNames.labelValue(longVm)).isNotEqualTo(ChildNames.labelValue(longVm + "1"));
    }
}
