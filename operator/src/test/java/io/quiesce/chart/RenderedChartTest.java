package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/**
 * The parser the chart tests rely on rejects what a real API server would reject or silently drop.
 */
class RenderedChartTest {
  private static final String DEPLOYMENT =
      """
            ---
            # Source: quiesce/templates/x.yaml
            apiVersion: %s
            kind: Deployment
            metadata:
              name: x
            spec:
              selector:
                matchLabels: {app: x}
              template:
                metadata:
                  labels: {app: x}
                spec:
                  containers:
                    - name: x
                      image: x
                      securityContext:
                        %s: true
            """;

  @Test
  void parsesEachDocumentIntoItsModelClass() {
    RenderedChart chart =
        RenderedChart.parse(DEPLOYMENT.formatted("apps/v1", "readOnlyRootFilesystem"));

    assertThat(
            chart
                .one(Deployment.class, "x")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getSecurityContext()
                .getReadOnlyRootFilesystem())
        .isTrue();
  }

  @Test
  void rejectsAFieldTheKubernetesApiDoesNotHave() {
    assertThatThrownBy(
            () -> RenderedChart.parse(DEPLOYMENT.formatted("apps/v1", "readOnlyRootFileSystem")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("readOnlyRootFileSystem");
  }

  @Test
  void rejectsAKindWithAWrongApiVersion() {
    assertThatThrownBy(
            () -> RenderedChart.parse(DEPLOYMENT.formatted("app/v1", "readOnlyRootFilesystem")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("app/v1/Deployment");
  }
}
