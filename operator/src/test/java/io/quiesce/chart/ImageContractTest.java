package io.quiesce.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quiesce.testkit.image.DockerfileFacts;
import io.quiesce.testkit.image.ImageFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The images and the chart agree, read from the files themselves: hack/build-images.sh tags by
 * default exactly the images the chart installs by default (repository and appVersion); each
 * Dockerfile's user is the chart's runAsUser/runAsGroup; the jar sits where the chart's command
 * runs it; .dockerignore lets the jars through; the OCI labels are there.
 */
class ImageContractTest {
  private static PodSpec operatorPod;
  private static PodSpec helperPod;

  @BeforeAll
  static void render() {
    RenderedChart rendered = QuiesceChart.render().objects();
    operatorPod = rendered.all(Deployment.class).get(0).getSpec().getTemplate().getSpec();
    helperPod = rendered.all(DaemonSet.class).get(0).getSpec().getTemplate().getSpec();
  }

  @Test
  void buildImagesTagsByDefaultWhatTheChartInstallsByDefault() throws Exception {
    List<String> images =
        dryRun().lines().filter(l -> l.startsWith("image ")).map(l -> l.substring(6)).toList();

    assertThat(images)
        .containsExactly(
            operatorPod.getContainers().get(0).getImage(),
            helperPod.getContainers().get(0).getImage());
    assertThat(images)
        .allSatisfy(image -> assertThat(image).endsWith(":" + QuiesceChart.appVersion()));
  }

  @Test
  void buildImagesPassesTheTagAsTheVersionLabel() throws Exception {
    String plan = dryRun();
    assertThat(plan)
        .contains("-f operator/Dockerfile --build-arg VERSION=" + QuiesceChart.appVersion())
        .contains("-f node-helper/Dockerfile --build-arg VERSION=" + QuiesceChart.appVersion());
    for (String component : List.of("operator", "node-helper")) {
      assertThat(ImageFiles.dockerfile(component).labels())
          .containsEntry("org.opencontainers.image.version", "${VERSION}")
          .containsEntry("org.opencontainers.image.source", "https://github.com/quiesce-io/quiesce")
          .containsKeys(
              "org.opencontainers.image.licenses",
              "org.opencontainers.image.revision",
              "org.opencontainers.image.title");
    }
  }

  @Test
  void eachDockerfilesUserIsTheChartsPodUser() {
    assertThat(ImageFiles.dockerfile("operator").user())
        .isEqualTo(user(operatorPod.getSecurityContext()))
        .isEqualTo("65532:65532");
    assertThat(ImageFiles.dockerfile("node-helper").user())
        .isEqualTo(user(helperPod.getSecurityContext()))
        .isEqualTo("0:0");
    assertThat(operatorPod.getSecurityContext().getRunAsNonRoot()).isTrue();
  }

  @Test
  void theJarIsWhereTheChartsCommandRunsIt() {
    check("operator", operatorPod.getContainers().get(0));
    check("node-helper", helperPod.getContainers().get(0));
  }

  @Test
  void dockerignoreLetsTheCopiedJarsThrough() throws Exception {
    List<String> rules =
        Files.readAllLines(ImageFiles.projectRoot().resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(rules.get(0)).as("everything else is left out").isEqualTo("**");
    for (String component : List.of("operator", "node-helper")) {
      assertThat(rules)
          .contains(
              "!" + ImageFiles.dockerfile(component).copies().get("/app/" + component + ".jar"));
    }
  }

  private static void check(String component, Container container) {
    String jar = "/app/" + component + ".jar";
    DockerfileFacts dockerfile = ImageFiles.dockerfile(component);
    List<String> command = container.getCommand();

    assertThat(command.get(0)).isEqualTo("java");
    assertThat(command.subList(command.size() - 3, command.size()))
        .containsExactly("-jar", jar, "run");
    assertThat(dockerfile.copies()).containsEntry(jar, component + "/target/" + component + ".jar");
    assertThat(dockerfile.entrypoint()).startsWith("java").endsWith("-jar", jar);
  }

  @Test
  void eachImagesOwnJvmFlagsAreTheChartsFlags() {
    // an image run without the chart (docker run, another installer) gets the same GC, heap share,
    // JIT and class-data archive as under the chart; the chart may add more
    for (var component : List.of("operator", "node-helper")) {
      Container container =
          (component.equals("operator") ? operatorPod : helperPod).getContainers().get(0);
      List<String> entrypoint = ImageFiles.dockerfile(component).entrypoint();
      List<String> imageFlags = entrypoint.subList(1, entrypoint.size() - 2);
      assertThat(imageFlags).as(component).isNotEmpty();
      assertThat(container.getCommand()).as(component).containsAll(imageFlags);
    }
  }

  private static String user(PodSecurityContext context) {
    return context.getRunAsUser() + ":" + context.getRunAsGroup();
  }

  /**
   * {@code hack/build-images.sh --dry-run}: the images and commands it would build, no engine
   * needed.
   */
  private static String dryRun() throws Exception {
    Path root = ImageFiles.projectRoot();
    Process process =
        new ProcessBuilder("bash", root.resolve("hack/build-images.sh").toString(), "--dry-run")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS))
        .as("build-images.sh --dry-run finished")
        .isTrue();
    String output =
        new String(process.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
