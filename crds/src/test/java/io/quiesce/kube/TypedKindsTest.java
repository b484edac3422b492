package io.quiesce.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TypedKindsTest {

  @Test
  void aRegisteredClientDecodesEachKindsWatchEventStraightIntoItsClass() {
    KubernetesSerialization serialization = new KubernetesSerialization();
    TypedKinds.register(serialization);
    for (Class<? extends KubernetesResource> kind : TypedKinds.ALL) {
      String event =
          """
          {"type": "MODIFIED", "object": {"apiVersion": "%s", "kind": "%s",
           "metadata": {"name": "x", "namespace": "ns", "resourceVersion": "7"}}}"""
              .formatted(
                  HasMetadata.getApiVersion(kind.asSubclass(HasMetadata.class)),
                  HasMetadata.getKind(kind.asSubclass(HasMetadata.class)));
      Object object = serialization.unmarshal(event, WatchEvent.class).getObject();
      // unregistered, fabric8 gives a GenericKubernetesResource and the watch converts it again
      assertInstanceOf(kind, object, kind.getSimpleName());
      assertEquals("7", ((HasMetadata) object).getMetadata().getResourceVersion());
    }
  }

  @Test
  void eachQuiesceKindNamesItsCrdsPluralSoNoInstanceDerivesIt() throws Exception {
    for (Class<? extends KubernetesResource> kind : TypedKinds.ALL) {
      Plural plural = kind.getAnnotation(Plural.class);
      assertNotNull(plural, kind.getSimpleName() + " has no @Plural");
      if (kind.getPackage().equals(QuiescedSnapshot.class.getPackage())) {
        // the module's directory holds the committed CRDs, named <plural>.<group>.yaml
        Path crd = Path.of(plural.value() + "." + QuiescedSnapshot.GROUP + ".yaml");
        assertTrue(
            Files.readString(crd).contains("plural: \"" + plural.value() + "\""),
            "the committed CRD " + crd + " names the plural " + plural.value());
      }
    }
  }
}
