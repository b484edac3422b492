package io.quiesce.kube.csi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.ExternalResource;
import java.util.Map;

/**
 * How group snapshots of one CSI driver are taken (cluster-scoped; fields at the top level, no
 * spec).
 */
@Group(VolumeGroupSnapshotApi.GROUP)
@Version(VolumeGroupSnapshotApi.STORAGE_VERSION)
@Plural(VolumeGroupSnapshotApi.CLASS_PLURAL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "driver", "deletionPolicy", "parameters"})
public class VolumeGroupSnapshotClass extends ExternalResource {
  /** Annotation that marks the class used for a driver's group snapshots that name none. */
  public static final String IS_DEFAULT_CLASS_ANNOTATION =
      "groupsnapshot.storage.kubernetes.io/is-default-class";

  private String driver;
  private String deletionPolicy;
  private Map<String, String> parameters;

  public String getDriver() {
    return driver;
  }

  public void setDriver(String driver) {
    this.driver = driver;
  }

  public String getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(String deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public Map<String, String> getParameters() {
    return parameters;
  }

  public void setParameters(Map<String, String> parameters) {
    this.parameters = parameters;
  }

  /** True when annotated as the default group class of its driver. */
  @JsonIgnore
  public boolean isDefault() {
    Map<String, String> annotations = getMetadata() == null ? null : getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(IS_DEFAULT_CLASS_ANNOTATION));
  }
}
