package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiesce.chart.ArgoCdHealthRunner.Health;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD health checks in charts/quiesce/argocd/argocd-cm-health.yaml, run on sample objects
 * in every phase, in a Lua sandbox with the libraries Argo CD gives argocd-cm scripts.
 */
class ArgoCdHealthScriptTest {
  private static final String SNAPSHOT_KEY =
      "resource.customizations.health.quiesce.io_QuiescedSnapshot";
  private static final String SCHEDULE_KEY =
      "resource.customizations.health.quiesce.io_QuiescedSnapshotSchedule";

  private static JsonNode snippet;

  @BeforeAll
  static void read() throws IOException {
    snippet = Yaml.read(QuiesceChart.directory().resolve("argocd/argocd-cm-health.yaml"));
  }

  @Test
  void snippetHoldsOneArgoCdHealthKeyPerKind() {
    List<String> keys = new ArrayList<>();
    snippet.path("data").fieldNames().forEachRemaining(keys::add);

    assertThat(keys).containsExactlyInAnyOrder(SNAPSHOT_KEY, SCHEDULE_KEY);
  }

  static Stream<Arguments> snapshots() {
    return Stream.of(
        Arguments.of(
            "just created", "", "Progressing", "Waiting for the operator to start the snapshot"),
        Arguments.of(
            "empty status",
            "status: {}",
            "Progressing",
            "Waiting for the operator to start the snapshot"),
        Arguments.of("pending", "status: {phase: Pending}", "Progressing", "Snapshot Pending"),
        Arguments.of(
            "in progress",
                """
                        status:
                          phase: InProgress
                          conditions:
                            - {type: Ready, status: "False", reason: InProgress}
                            - {type: Progressing, status: "True", reason: WaitingForCut, message: 2 of 3 VolumeSnapshots cut}
                        """,
            "Progressing", "2 of 3 VolumeSnapshots cut"),
        Arguments.of(
            "succeeded consistent",
                """
                        status: {phase: Succeeded, consistency: FilesystemConsistent, observedGeneration: 1}
                        """,
            "Healthy", "Snapshot taken, FilesystemConsistent"),
        Arguments.of(
            "succeeded crash-consistent",
                """
                        status: {phase: Succeeded, consistency: CrashConsistent}
                        """,
            "Healthy", "Snapshot taken, CrashConsistent"),
        Arguments.of(
            "failed",
                """
                        status:
                          phase: Failed
                          conditions:
                            - {type: Ready, status: "False", reason: Failed, message: see Failed}
                            - {type: Failed, status: "True", reason: VirtualMachineNotFound, message: VirtualMachine db-01 not found}
                        """,
            "Degraded", "VirtualMachine db-01 not found"),
        Arguments.of(
            "failed without conditions", "status: {phase: Failed}", "Degraded", "Snapshot failed"),
        Arguments.of(
            "a phase from a newer operator",
            "status: {phase: Verifying}",
            "Progressing",
            "Snapshot Verifying"));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("snapshots")
  void snapshotHealth(String what, String status, String expectedStatus, String expectedMessage) {
    JsonNode snapshot =
        object(
            "QuiescedSnapshot",
            """
                spec:
                  source: db-01
                  quiesce: {mode: Required, timeout: 5s}
                """
                + status);

    Health health = ArgoCdHealthRunner.run(script(SNAPSHOT_KEY), snapshot);

    assertThat(health).isEqualTo(new Health(expectedStatus, expectedMessage));
  }

  static Stream<Arguments> schedules() {
    return Stream.of(
        Arguments.of(
            "just created",
            "spec: {schedule: '@daily'}",
            "Progressing",
            "Waiting for the operator to check the schedule"),
        Arguments.of(
            "ready",
                """
                        spec: {schedule: '30 2 * * *'}
                        status:
                          observedGeneration: 2
                          nextScheduleTime: "2025-11-26T01:30:00Z"
                          conditions: [{type: Ready, status: "True", reason: Scheduled, message: 4 VMs selected}]
                        """,
            "Healthy", "Next snapshot at 2025-11-26T01:30:00Z"),
        Arguments.of(
            "ready without a next time",
                """
                        spec: {schedule: '30 2 * * *'}
                        status:
                          conditions: [{type: Ready, status: "True", reason: Scheduled, message: 4 VMs selected}]
                        """,
            "Healthy", "4 VMs selected"),
        Arguments.of(
            "suspended",
                """
                        spec: {schedule: '30 2 * * *', suspend: true}
                        status:
                          observedGeneration: 2
                          conditions: [{type: Ready, status: "True", reason: Scheduled}]
                        """,
            "Suspended", "Schedule is suspended"),
        Arguments.of(
            "invalid cron",
                """
                        spec: {schedule: '61 * * * *'}
                        status:
                          observedGeneration: 2
                          conditions: [{type: Ready, status: "False", reason: InvalidSchedule, message: "minute 61 out of range 0-59"}]
                        """,
            "Degraded", "minute 61 out of range 0-59"),
        Arguments.of(
            "invalid time zone while suspended",
                """
                        spec: {schedule: '@daily', timeZone: Mars/Olympus, suspend: true}
                        status:
                          conditions: [{type: Ready, status: "False", reason: InvalidTimeZone, message: unknown time zone Mars/Olympus}]
                        """,
            "Degraded", "unknown time zone Mars/Olympus"),
        Arguments.of(
            "failed condition",
                """
                        spec: {schedule: '@daily'}
                        status:
                          conditions:
                            - {type: Ready, status: "True", reason: Scheduled}
                            - {type: Failed, status: "True", reason: RetentionFailed, message: cannot delete old snapshots}
                        """,
            "Degraded", "cannot delete old snapshots"),
        Arguments.of(
            "stalled, kstatus' terminal failure, for a reason the script does not list",
                """
                        spec: {schedule: '@daily'}
                        status:
                          conditions:
                            - {type: Ready, status: "False", reason: SomeNewProblem, message: fix the spec}
                            - {type: Stalled, status: "True", reason: SomeNewProblem, message: fix the spec}
                        """,
            "Degraded", "fix the spec"),
        Arguments.of(
            "not ready for a passing reason",
                """
                        spec: {schedule: '@daily'}
                        status:
                          conditions: [{type: Ready, status: "False", reason: NoVirtualMachines, message: no VM matches vmSelector}]
                        """,
            "Progressing", "no VM matches vmSelector"),
        Arguments.of(
            "status older than the spec",
                """
                        spec: {schedule: '61 * * * *'}
                        status:
                          observedGeneration: 1
                          conditions: [{type: Ready, status: "True", reason: Scheduled}]
                        """,
            "Progressing", "Waiting for the operator to observe generation 2"));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("schedules")
  void scheduleHealth(
      String what, String specAndStatus, String expectedStatus, String expectedMessage) {
    JsonNode schedule = object("QuiescedSnapshotSchedule", specAndStatus);

    Health health = ArgoCdHealthRunner.run(script(SCHEDULE_KEY), schedule);

    assertThat(health).isEqualTo(new Health(expectedStatus, expectedMessage));
  }

  @Test
  void objectsReachLuaTheWayArgoCdConvertsThem() {
    JsonNode object = Yaml.read("{list: [a, b], n: 2, f: 1.5, yes: true, gone: null}");

    Health health =
        ArgoCdHealthRunner.run(
            """
                return { status = "Healthy", message = obj.list[1] .. obj.list[2] .. " " .. #obj.list .. " "
                  .. obj.n .. " " .. obj.f .. " " .. tostring(obj.yes) .. " " .. tostring(obj.gone == nil) }
                """,
            object);

    assertThat(health.message()).isEqualTo("ab 2 2 1.5 true true");
  }

  @Test
  void sandboxLacksTheStringLibraryLikeArgoCd() {
    // A script that works in plain Lua but not in Argo CD must fail here as well.
    assertThatThrownBy(
            () ->
                ArgoCdHealthRunner.run(
                    "return { status = string.upper(\"healthy\") }", Yaml.read("{}")))
        .hasMessageContaining("attempt to index");
    assertThatThrownBy(
            () ->
                ArgoCdHealthRunner.run("return { status = (\"Healthy\"):sub(1) }", Yaml.read("{}")))
        .hasMessageContaining("attempt to index");
  }

  @Test
  void anInvalidStatusBecomesUnknown() {
    Health health = ArgoCdHealthRunner.run("return { status = \"Fine\" }", Yaml.read("{}"));

    assertThat(health).isEqualTo(new Health("Unknown", "Lua returned an invalid health status"));
  }

  private static String script(String key) {
    String script = snippet.path("data").path(key).asText();
    assertThat(script).as(key).isNotBlank();
    return script;
  }

  private static JsonNode object(String kind, String body) {
    return Yaml.read(
        """
                apiVersion: quiesce.io/v1alpha1
                kind: %s
                metadata: {name: sample, namespace: prod, generation: 2}
                """
                .formatted(kind)
            + body);
  }
}
