package io.quiesce.testkit.guest;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the Quiesce checkout from tests running in any module. */
public final class QuiesceProject {

  private QuiesceProject() {}

  /**
   * A file of the project by its path relative to the project root: the root is the system property
   * {@code quiesce.projectRoot}, else env {@code QUIESCE_PROJECT_ROOT} (set by the parent pom's
   * surefire config), else the nearest parent of the working dir holding the file.
   */
  public static Path file(String relative) {
    if (relative.startsWith("/") || relative.contains("..")) {
      throw new IllegalArgumentException("not a project-relative path: " + relative);
    }
    String configured =
        System.getProperty("quiesce.projectRoot", System.getenv("QUIESCE_PROJECT_ROOT"));
    if (configured != null && Files.isRegularFile(Path.of(configured).resolve(relative))) {
      return Path.of(configured).resolve(relative).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(relative))) {
        return dir.resolve(relative).normalize();
      }
    }
    throw new IllegalStateException(
        relative + " not found (set -Dquiesce.projectRoot or QUIESCE_PROJECT_ROOT)");
  }
}
