package io.quiesce.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scale phase's warm-up fire, reported apart from the measured one: a first, smaller fire of
 * the same shape over VMs of its own, run to all terminal right after every component started
 * (class loading, JIT compilation, first connections), as a production operator firing nightly is
 * long past its first. Its CPU per snapshot stands next to the measured fire's, so that the cold
 * start is not hidden.
 *
 * @param vms its VMs (its own, none of the measured fire's)
 * @param wallMs from its fire to all its snapshots terminal
 * @param idealMs ceil(vms / cap) x cut delay
 * @param succeeded its snapshots that ended Succeeded/FilesystemConsistent
 * @param operatorCpuMs the operator's CPU from its fire to all terminal
 * @param benchJvmCpuMs the bench JVM's CPU over the same span
 */
record WarmUpFire(
    int vms,
    long wallMs,
    double idealMs,
    long succeeded,
    double operatorCpuMs,
    double benchJvmCpuMs) {

  /** The system property that sets its size; 0 runs no warm-up fire. */
  static final String SIZE_PROPERTY = "quiesce.bench.warmupVms";

  /**
   * Its VMs by default: two waves of the cap, or a tenth of the fleet when that is more, never more
   * than the fleet.
   */
  static int defaultSize(int vms, int cap) {
    return Math.min(vms, Math.max(2 * cap, vms / 10));
  }

  double operatorCpuMsPerSnapshot() {
    return operatorCpuMs / vms;
  }

  double benchJvmCpuMsPerSnapshot() {
    return benchJvmCpuMs / vms;
  }

  /** Its figures for scale.json, under keys of their own. */
  Map<String, Object> figures() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("warmupVms", vms);
    figures.put("warmupWallMs", wallMs);
    figures.put("warmupIdealMs", idealMs);
    figures.put("warmupSucceeded", succeeded);
    figures.put("warmupOperatorCpuMsPerSnapshot", operatorCpuMsPerSnapshot());
    figures.put("warmupBenchJvmCpuMsPerSnapshot", benchJvmCpuMsPerSnapshot());
    return figures;
  }

  /**
   * Its rows, after the measured fire's: its wall time against its own ideal, and its CPU per
   * snapshot (both JVMs) against the measured fire's, whose figures are given.
   */
  List<BenchRow> rows(String phase, double operatorCpuMsPerSnapshot, double benchCpuMsPerSnapshot) {
    return List.of(
        new BenchRow(
            phase,
            "warm-up fire to all terminal (ms), " + vms + " fake VMs of its own",
            wallMs,
            idealMs,
            "not counted above: the first fire after every component started (JIT, first"
                + " connections); its snapshots deleted before the measured fire; "
                + succeeded
                + " of "
                + vms
                + " Succeeded"),
        new BenchRow(
            phase,
            "CPU per snapshot in the warm-up fire, operator + bench JVM (ms)",
            operatorCpuMsPerSnapshot() + benchJvmCpuMsPerSnapshot(),
            operatorCpuMsPerSnapshot + benchCpuMsPerSnapshot,
            String.format(
                "baseline: the measured fire's; operator %.1f vs %.1f, bench JVM %.1f vs %.1f",
                operatorCpuMsPerSnapshot(),
                operatorCpuMsPerSnapshot,
                benchJvmCpuMsPerSnapshot(),
                benchCpuMsPerSnapshot)));
  }
}
