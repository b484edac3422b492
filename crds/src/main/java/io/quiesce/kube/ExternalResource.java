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
 * <p>Deliberately not a fabric8 {@code CustomResource}: the CRD generator only looks at
 * {@code CustomResource} subclasses, so these classes can never get a CRD generated for them,
 * whatever the generator is configured to scan. Group, version and plural come from the fabric8
 * {@code @Group}, {@code @Version} and {@code @Plural} annotations on the subclass.
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
