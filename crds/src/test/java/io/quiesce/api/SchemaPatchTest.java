package io.quiesce.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quiesce.api.schema.SchemaPatch;
import org.junit.jupiter.api.Test;

class SchemaPatchTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static JSONSchemaProps twoStrings() {
    return new JSONSchemaPropsBuilder()
        .withType("object")
        .addToProperties(
            "a", new JSONSchemaPropsBuilder().withType("string").withDescription("A").build())
        .addToProperties("b", new JSONSchemaPropsBuilder().withType("string").build())
        .build();
  }

  @Test
  void mergesIntoNestedPropertiesAndKeepsTheRest() {
    JSONSchemaProps patched =
        new SchemaPatch()
            .apply(twoStrings(), "properties: {a: {format: date-time}}", SERIALIZATION);
    assertThat(patched.getProperties()).containsOnlyKeys("a", "b");
    assertThat(patched.getProperties().get("a").getFormat()).isEqualTo("date-time");
    assertThat(patched.getProperties().get("a").getDescription()).isEqualTo("A");
    assertThat(patched.getType()).isEqualTo("object");
  }

  @Test
  void setsKubernetesExtensions() {
    JSONSchemaProps patched =
        new SchemaPatch()
            .apply(twoStrings(), "properties: {b: {x-kubernetes-list-type: set}}", SERIALIZATION);
    assertThat(patched.getProperties().get("b").getXKubernetesListType()).isEqualTo("set");
  }

  @Test
  void refusesAPropertyTheSchemaDoesNotHave() {
    assertThatThrownBy(
            () ->
                new SchemaPatch()
                    .apply(twoStrings(), "properties: {c: {format: date-time}}", SERIALIZATION))
        .hasMessageContaining("'c'");
  }
}
