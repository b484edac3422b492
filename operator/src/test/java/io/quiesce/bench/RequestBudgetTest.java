package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.testkit.kube.KubeApiServer;
import io.quiesce.testkit.kube.KubeApiTest;
import org.junit.jupiter.api.Test;

/**
 * The request budget of issue 14, as a count: whole single-disk snapshot flows through the real
 * operator and the real node helper ({@link RequestFlow}) may cost at most 12 operator and 6 helper
 * API requests per snapshot, counted at the API server per client. Ten snapshots at once; the
 * helper's heartbeat (per node every 10 s, not per snapshot) is left out of its count.
 */
@KubeApiTest
class RequestBudgetTest {
  static final double OPERATOR_BUDGET = 12;
  static final double HELPER_BUDGET = 6;

  @Test
  void aSingleDiskSnapshotCostsAtMostTwelveOperatorAndSixHelperRequests(KubeApiServer server)
      throws Exception {
    RequestFlow.Counts counts = RequestFlow.run(server, 10);

    System.out.printf(
        "[figure] requests per single-disk snapshot (%d in %d ms): operator %.1f %s; helper %.1f %s%n",
        counts.snapshots(),
        counts.took().toMillis(),
        counts.perSnapshot(RequestFlow.OPERATOR),
        counts.byVerbResource(RequestFlow.OPERATOR),
        counts.helperPerSnapshot(),
        counts.byVerbResource(RequestFlow.HELPER));
    assertThat(counts.total(RequestFlow.OPERATOR))
        .as("the operator's requests were counted")
        .isPositive();
    assertThat(counts.total(RequestFlow.HELPER))
        .as("the helper's requests were counted")
        .isPositive();
    // the group-snapshot API's discovery is the operator's, not a snapshot's: one reader at a time,
    // at most every 30 s (it cost 1.5-2.1 GETs per snapshot when each reconcile read it)
    long discovery =
        counts.requests().entrySet().stream()
            .filter(e -> e.getKey().client().equals(RequestFlow.OPERATOR))
            .filter(e -> e.getKey().resource().startsWith("discovery "))
            .mapToLong(java.util.Map.Entry::getValue)
            .sum();
    assertThat(discovery)
        .as("operator discovery requests in the whole flow")
        .isLessThanOrEqualTo(2);
    assertThat(counts.perSnapshot(RequestFlow.OPERATOR))
        .as("operator requests per snapshot: %s", counts.byVerbResource(RequestFlow.OPERATOR))
        .isLessThanOrEqualTo(OPERATOR_BUDGET);
    assertThat(counts.helperPerSnapshot())
        .as("helper requests per snapshot: %s", counts.byVerbResource(RequestFlow.HELPER))
        .isLessThanOrEqualTo(HELPER_BUDGET);
  }
}
