package io.quiesce.kube.csi;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Optional;

/**
 * The CSI group-snapshot API ({@code groupsnapshot.storage.k8s.io}) in whichever version the
 * cluster serves: {@code v1} (Kubernetes 1.36, external-snapshotter 8.6), else {@code v1beta2},
 * else {@code v1beta1}. The fields Quiesce uses are the same in all three. Clusters without the
 * CRDs serve none: {@link #servedVersion} is then empty and nothing else here is called.
 */
public final class VolumeGroupSnapshotApi {
  public static final String GROUP = "groupsnapshot.storage.k8s.io";

  /** The version external-snapshotter 8.x stores; the typed models default to it. */
  public static final String STORAGE_VERSION = "v1beta2";

  /** Newest first: the first one served is used. */
  public static final List<String> VERSIONS = List.of("v1", "v1beta2", "v1beta1");

  public static final String PLURAL = "volumegroupsnapshots";
  public static final String CLASS_PLURAL = "volumegroupsnapshotclasses";
  public static final String KIND = "VolumeGroupSnapshot";

  private VolumeGroupSnapshotApi() {}

  /**
   * The newest version of the group that serves VolumeGroupSnapshots, by discovery: {@code GET
   * /apis/groupsnapshot.storage.k8s.io} (the group's served versions; a cluster without the CRDs
   * answers 404, so this one request tells it), then {@code GET
   * /apis/groupsnapshot.storage.k8s.io/<version>} of the versions it serves, newest first, until
   * one lists VolumeGroupSnapshots; empty without the CRDs.
   */
  public static Optional<String> servedVersion(KubernetesClient client) {
    APIGroup group;
    try {
      group = client.getApiGroup(GROUP);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      group = null;
    }
    if (group == null || group.getVersions() == null) {
      return Optional.empty();
    }
    List<String> served =
        group.getVersions().stream().map(GroupVersionForDiscovery::getVersion).toList();
    for (String version : VERSIONS) {
      if (!served.contains(version)) {
        continue;
      }
      try {
        APIResourceList resources = client.getApiResources(GROUP + "/" + version);
        if (resources != null
            && resources.getResources() != null
            && resources.getResources().stream().anyMatch(r -> PLURAL.equals(r.getName()))) {
          return Optional.of(version);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    return Optional.empty();
  }

  /** {@code groupsnapshot.storage.k8s.io/<version>}. */
  public static String apiVersion(String version) {
    return GROUP + "/" + version;
  }

  /** The version part of an apiVersion of this group. */
  public static String versionOf(String apiVersion) {
    if (apiVersion == null || !apiVersion.startsWith(GROUP + "/")) {
      throw new IllegalArgumentException("not an apiVersion of " + GROUP + ": " + apiVersion);
    }
    return apiVersion.substring(GROUP.length() + 1);
  }

  public static ResourceDefinitionContext groupSnapshots(String version) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(GROUP)
        .withVersion(version)
        .withPlural(PLURAL)
        .withKind(KIND)
        .withNamespaced(true)
        .build();
  }

  public static ResourceDefinitionContext classes(String version) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(GROUP)
        .withVersion(version)
        .withPlural(CLASS_PLURAL)
        .withKind("VolumeGroupSnapshotClass")
        .withNamespaced(false)
        .build();
  }

  /** Every VolumeGroupSnapshotClass, read in {@code version}. */
  public static List<VolumeGroupSnapshotClass> listClasses(
      KubernetesClient client, String version) {
    return client.genericKubernetesResources(classes(version)).list().getItems().stream()
        .map(g -> typed(g, VolumeGroupSnapshotClass.class))
        .toList();
  }

  /** The VolumeGroupSnapshot, or null. */
  public static VolumeGroupSnapshot get(
      KubernetesClient client, String version, String namespace, String name) {
    GenericKubernetesResource found =
        client
            .genericKubernetesResources(groupSnapshots(version))
            .inNamespace(namespace)
            .withName(name)
            .get();
    return found == null ? null : typed(found, VolumeGroupSnapshot.class);
  }

  /** Creates it with the apiVersion of {@code version}; returns the stored object. */
  public static VolumeGroupSnapshot create(
      KubernetesClient client, String version, VolumeGroupSnapshot wanted) {
    wanted.setApiVersion(apiVersion(version));
    GenericKubernetesResource generic = typed(wanted, GenericKubernetesResource.class);
    return typed(
        client
            .genericKubernetesResources(groupSnapshots(version))
            .inNamespace(wanted.getMetadata().getNamespace())
            .resource(generic)
            .create(),
        VolumeGroupSnapshot.class);
  }

  /** Converts between the generic and the typed form through JSON. */
  public static <T> T typed(Object from, Class<T> type) {
    return Serialization.unmarshal(Serialization.asJson(from), type);
  }
}
