package io.quiesce.bench;

import io.quiesce.testkit.kube.KubeApiServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark phase "requests" of {@code hack/bench.sh} (not a test): {@link RequestFlow} over N
 * single-disk snapshots, the REAL operator and node helper in this JVM with FAKE agents and the
 * FAKE CSI snapshotter, requests counted at the test kit's API server per client, verb and
 * resource. The phase fails when either is above its budget (12 operator, 6 helper requests per
 * snapshot), as {@code RequestBudgetTest} does.
 *
 * <p>Usage: {@code RequestBench <snapshots> <out dir>}
 */
public final class RequestBench {
  private static final String PHASE = "requests";

  private RequestBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: RequestBench <snapshots> <out dir>");
      System.exit(2);
    }
    Path out = Path.of(args[1]);
    PhaseResult result;
    try (KubeApiServer server = KubeApiServer.start()) {
      result = result(RequestFlow.run(server, Integer.parseInt(args[0])));
    } catch (Exception e) {
      e.printStackTrace();
      result = PhaseResult.failed(PHASE, e);
    }
    result.write(out);
    System.exit(result.ok() ? 0 : 1);
  }

  private static PhaseResult result(RequestFlow.Counts counts) {
    double operator = counts.perSnapshot(RequestFlow.OPERATOR);
    double helper = counts.helperPerSnapshot();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("snapshots", counts.snapshots());
    figures.put("flowMs", counts.took().toMillis());
    figures.put("operatorRequestsPerSnapshot", operator);
    figures.put("operatorBudget", RequestBudgetTest.OPERATOR_BUDGET);
    figures.put("helperRequestsPerSnapshot", helper);
    figures.put("helperBudget", RequestBudgetTest.HELPER_BUDGET);
    figures.put("operatorRequestsByVerbResource", counts.byVerbResource(RequestFlow.OPERATOR));
    figures.put("helperRequestsByVerbResource", counts.byVerbResource(RequestFlow.HELPER));
    List<BenchRow> rows =
        List.of(
            new BenchRow(
                PHASE,
                "operator API requests per single-disk snapshot",
                operator,
                RequestBudgetTest.OPERATOR_BUDGET,
                "baseline: the budget; "
                    + counts.snapshots()
                    + " snapshots, counted at the API server per client: "
                    + counts.byVerbResource(RequestFlow.OPERATOR)),
            new BenchRow(
                PHASE,
                "helper API requests per single-disk snapshot",
                helper,
                RequestBudgetTest.HELPER_BUDGET,
                "baseline: the budget; heartbeat (per node, 10 s) left out: "
                    + counts.byVerbResource(RequestFlow.HELPER)));
    System.out.printf(
        "requests per snapshot: operator %.2f (budget %.0f), helper %.2f (budget %.0f)%n",
        operator, RequestBudgetTest.OPERATOR_BUDGET, helper, RequestBudgetTest.HELPER_BUDGET);
    if (operator > RequestBudgetTest.OPERATOR_BUDGET || helper > RequestBudgetTest.HELPER_BUDGET) {
      return new PhaseResult(
          PHASE,
          false,
          figures,
          rows,
          String.format(
              "over the request budget: operator"
                  + " %.2f of %.0f, helper %.2f of %.0f per snapshot",
              operator,
              RequestBudgetTest.OPERATOR_BUDGET,
              helper,
              RequestBudgetTest.HELPER_BUDGET));
    }
    return PhaseResult.ok(PHASE, figures, rows);
  }
}
