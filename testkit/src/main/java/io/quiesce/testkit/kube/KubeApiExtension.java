package io.quiesce.testkit.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** JUnit extension behind {@link KubeApiTest}: one {@link KubeApiServer} per test class. */
public class KubeApiExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KubeApiExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    // nested classes share the server of their outermost class
    if (server(context) == null) {
      context.getStore(NAMESPACE).put(KubeApiServer.class, KubeApiServer.start());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class || type == KubeApiServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KubeApiServer server = server(context);
    if (server == null) {
      throw new IllegalStateException(
          "no KubeApiServer: annotate the test class with @KubeApiTest");
    }
    return parameter.getParameter().getType() == KubeApiServer.class ? server : server.client();
  }

  /** Looks the server up in this context's store and its parents'. */
  private static KubeApiServer server(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(KubeApiServer.class, KubeApiServer.class);
  }
}
