package io.quiesce.kube.csi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quiesce.kube.ExternalResource;
import java.util.Map;

/**
 * How snapshots of one CSI driver are taken (cluster-scoped). Its fields sit at the top level: the
 * kind has no spec.
 */
@Group(VolumeSnapshot.GROUP)
@Version(VolumeSnapshot.VERSION)
@Plural("volumesnapshotclasses")
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "driver", "deletionPolicy", "parameters"})
public class VolumeSnapshotClass extends ExternalResource {
  /** Annotation that marks the class used for PVCs of its driver when a snapshot names none. */
  public static final String IS_DEFAULT_CLASS_ANNOTATION =
      "snapshot.storage.kubernetes.io/is-default-class";

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

  /** True when annotated as the default class of its driver (the value is the string "true"). */
  @JsonIgnore
  public boolean isDefault() {
    Map<String, String> annotations = getMetadata() == null ? null : getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(IS_DEFAULT_CLASS_ANNOTATION));
  }
}
