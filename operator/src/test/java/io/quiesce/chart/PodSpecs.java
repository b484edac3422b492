package io.quiesce.chart;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading a rendered pod spec the way the assertions need it. */
final class PodSpecs {
  private PodSpecs() {}

  /** The pod's only container; the chart runs exactly one per pod. */
  static Container onlyContainer(PodSpec pod) {
    if (pod.getContainers().size() != 1 || !pod.getInitContainers().isEmpty()) {
      throw new AssertionError(
          "expected exactly one container, found "
              + pod.getContainers().size()
              + " and "
              + pod.getInitContainers().size()
              + " init containers");
    }
    return pod.getContainers().get(0);
  }

  /**
   * Environment as name to value; a downward-API variable reads {@code fieldRef:<path>}, so that
   * both kinds can be compared in one table.
   */
  static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      String value =
          var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null
              ? "fieldRef:" + var.getValueFrom().getFieldRef().getFieldPath()
              : var.getValue();
      if (env.put(var.getName(), value) != null) {
        throw new AssertionError("env " + var.getName() + " set twice");
      }
    }
    return env;
  }
}
