package io.quiesce.testkit.guest;

/**
 * How a helper process ended.
 *
 * @param exitCode its exit code
 * @param output the tail of its merged stdout and stderr
 */
public record ProcessResult(int exitCode, String output) {

  public boolean succeeded() {
    return exitCode == 0;
  }
}
