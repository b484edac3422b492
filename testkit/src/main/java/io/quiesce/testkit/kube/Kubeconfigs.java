package io.quiesce.testkit.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A kubeconfig for the test API server: one cluster, one user with a placeholder token, one
 * context.
 */
final class Kubeconfigs {
  static final String CONTEXT = "quiesce-testkit";

  private Kubeconfigs() {}

  static Path write(Path file, String url, String namespace) throws IOException {
    String text =
        """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                users:
                - name: %1$s
                  user:
                    token: testkit-not-a-secret
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %3$s
                current-context: %1$s
                """
            .formatted(CONTEXT, url, namespace);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
