package io.quiesce.api;

/**
 * One reason the API server would refuse an object.
 *
 * @param path Kubernetes field path, e.g. {@code spec.quiesce.timeout} or {@code spec.volumes[1]}
 * @param message what is wrong there
 */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
