package io.quiesce.kube;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Base of the typed models of kinds that other projects define (CSI snapshots, KubeVirt).
 *
 * <p>A plain {@code HasMetadata} rather than a fabric8 {@code CustomResource}, because some of
 * these kinds have no spec (VolumeSnapshotClass) and because unknown top-level fields must be kept
 * too. Group, version and plural come from the fabric8 {@code @Group}, {@code @Version} and
 * {@code @Plural} annotations on the subclass. Those annotations make the CRD generator pick the
 * class up if it scans this package: its configuration must limit it to Quiesce's own API package,
 * as these kinds' CRDs belong to their projects.
 */
@JsonDeserialize(using = JsonDeserializer.None.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata"})
public abstract class ExternalResource extends OpenObject implements HasMetadata {

  private String apiVersion = HasMetadata.getApiVersion(getClass());
  private String kind = HasMetadata.getKind(getClass());
  private ObjectMeta metadata = new ObjectMeta();

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public void setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  @Override
  public String getKind() {
    return kind;
  }

  /** Kind as read from the JSON; defaults to the class's kind. */
  public void setKind(String kind) {
    this.kind = kind;
  }

  @Override
  public ObjectMeta getMetadata() {
    return metadata;
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  @Override
  public String toString() {
    return Serialization.asJson(this);
  }
}
