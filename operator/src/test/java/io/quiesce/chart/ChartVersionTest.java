package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The chart installs the images of the build it ships with: Chart.yaml's version and appVersion are
 * the Maven project version without "-SNAPSHOT", and the default image tags follow appVersion.
 */
class ChartVersionTest {

  @Test
  void chartAndAppVersionAreTheMavenReleaseVersion() throws Exception {
    JsonNode chart = Yaml.read(QuiesceChart.directory().resolve("Chart.yaml"));
    String release = mavenVersion().replaceFirst("-SNAPSHOT$", "");

    assertThat(chart.path("appVersion").asText()).isEqualTo(release);
    assertThat(chart.path("version").asText()).isEqualTo(release);
  }

  @Test
  void defaultImageTagsAreTheAppVersion() throws Exception {
    String release = mavenVersion().replaceFirst("-SNAPSHOT$", "");
    RenderedChart rendered = QuiesceChart.render().objects();
    List<PodSpec> pods =
        List.of(
            rendered.all(Deployment.class).get(0).getSpec().getTemplate().getSpec(),
            rendered.all(DaemonSet.class).get(0).getSpec().getTemplate().getSpec());

    assertThat(pods)
        .allSatisfy(
            pod -> assertThat(pod.getContainers().get(0).getImage()).endsWith(":" + release));
  }

  @Test
  void anExplicitTagOrDigestWinsOverTheAppVersion() {
    RenderedChart rendered =
        QuiesceChart.render()
            .set("operator.image.tag", "0.0.9-rc1")
            .set("nodeHelper.image.digest", "sha256:" + "ab".repeat(32))
            .objects();

    assertThat(
            rendered
                .all(Deployment.class)
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("ghcr.io/quiesce-io/quiesce-operator:0.0.9-rc1");
    assertThat(
            rendered
                .all(DaemonSet.class)
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("ghcr.io/quiesce-io/quiesce-node-helper@sha256:" + "ab".repeat(32));
  }

  /** From surefire (operator/pom.xml), else from the parent pom when run outside Maven. */
  private static String mavenVersion() throws Exception {
    String fromBuild = System.getProperty("quiesce.version");
    if (fromBuild != null && !fromBuild.isBlank()) {
      return fromBuild;
    }
    Path pom = QuiesceChart.projectRoot().resolve("pom.xml");
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(pom.toFile())
            .getDocumentElement();
    for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
      if ("version".equals(child.getNodeName())) {
        return child.getTextContent().trim();
      }
    }
    throw new IllegalStateException("no <version> in " + pom);
  }
}
