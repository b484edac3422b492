package io.quiesce.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Request paths taken apart. */
class ResourcePathTest {

  @Test
  void leadingAndTrailingSlashesAreIgnored() {
    ResourcePath path =
        ResourcePath.parse("//apis/quiesce.io/v1alpha1/namespaces/ns/quiescedsnapshots/s/status/")
            .orElseThrow();

    assertThat(path.prefix()).isEqualTo("/apis/quiesce.io/v1alpha1");
    assertThat(path.namespace()).isEqualTo("ns");
    assertThat(path.plural()).isEqualTo("quiescedsnapshots");
    assertThat(path.name()).isEqualTo("s");
    assertThat(path.isStatus()).isTrue();
    assertThat(path.query()).isNull();
  }

  @Test
  void aCollectionWithAQueryAndNonResourcePaths() {
    ResourcePath list =
        ResourcePath.parse("/api/v1/pods?watch=true&labelSelector=a%3Db").orElseThrow();

    assertThat(list.group()).isEmpty();
    assertThat(list.name()).isNull();
    assertThat(list.queryParameter("labelSelector")).contains("a=b");
    assertThat(ResourcePath.parse("/apis/quiesce.io/v1alpha1")).isEmpty();
    assertThat(ResourcePath.parse("/")).isEmpty();
    assertThat(ResourcePath.parse("")).isEmpty();
  }
}
