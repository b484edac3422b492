package io.quiesce.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiesce.testkit.image.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed class list the image's class-data archive is dumped from (node-helper/Dockerfile):
 * safe to dump, trained past the first API calls, and naming the helper's classes as they are.
 */
class HelperClassListTest {
  private static final Path LIST =
      ImageFiles.projectRoot().resolve("node-helper/src/main/cds/node-helper.classlist");
  private static List<String> lines;

  @BeforeAll
  static void read() throws IOException {
    lines = Files.readAllLines(LIST);
  }

  @Test
  void hasNoLinesThatRegenerateClassesWithoutAClassFile() {
    assertThat(lines).noneMatch(l -> l.startsWith(HelperClassList.REGENERATED));
    assertThat(HelperClassList.withoutRegeneratedLines(List.of("a/B", "@lambda-form-invoker x")))
        .containsExactly("a/B");
  }

  @Test
  void coversStartUpPastTheFirstApiCallsToReady() {
    // what only an answering API server makes a helper load: the informers, their watches, the
    // VolumeSnapshot and Lease models, the readiness steps after the survey
    assertThat(HelperClassList.classNames(lines))
        .contains(
            "io/quiesce/window/NodeGuestInventory",
            "io/quiesce/window/VolumeSnapshotTracker",
            "io/quiesce/window/AssignedSnapshotWatcher",
            "io/quiesce/window/ThawRequestWatcher",
            "io/quiesce/window/HeartbeatLease",
            "io/fabric8/kubernetes/client/informers/impl/DefaultSharedIndexInformer",
            "io/fabric8/kubernetes/api/model/coordination/v1/Lease",
            "io/fabric8/kubernetes/api/model/PodList");
  }

  @Test
  void everyQuiesceClassItNamesIsInTheBuild() {
    ClassLoader loader = HelperClassListTest.class.getClassLoader();
    List<String> ours =
        HelperClassList.classNames(lines).stream()
            .filter(n -> n.startsWith("io/quiesce/"))
            .toList();
    assertThat(ours).hasSizeGreaterThan(100);
    // a renamed or removed class would only load from its jar again: the list is stale
    assertThat(ours).allMatch(n -> loader.getResource(n + ".class") != null, "in the build");
  }

  @Test
  void theImageBuildDumpsItsArchiveFromThisListAndGetsIt() throws IOException {
    String file = "node-helper/src/main/cds/node-helper.classlist";
    Path root = ImageFiles.projectRoot();
    assertThat(Files.readString(root.resolve("node-helper/Dockerfile")))
        .contains("COPY " + file + " ")
        .contains("-Xshare:dump -XX:SharedClassListFile=");
    // the build context holds only what .dockerignore lets through
    assertThat(Files.readAllLines(root.resolve(".dockerignore"))).contains("!" + file);
  }

  @Test
  void classNamesLeaveOutCommentsDirectivesAndGeneratedClasses() {
    assertThat(
            HelperClassList.classNames(
                List.of(
                    "# comment",
                    "java/lang/Object",
                    "jdk/proxy2/$Proxy7",
                    "a/B$$Lambda$12/0x0000000800c",
                    "@lambda-proxy a/B run ()V",
                    "a/C id: 4")))
        .containsExactly("a/C", "java/lang/Object");
  }
}
