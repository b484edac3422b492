package io.quiesce.window;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quiesce.api.v1alpha1.FreezeRecord;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Writes {@code status.freeze}, the node helper's only status field: a JSON merge patch to the
 * {@code /status} subresource carrying nothing else, so the operator's fields are never touched.
 */
final class FreezeRecordWriter {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeRecordWriter.class);

    private final KubernetesClient client;

    FreezeRecordWriter(KubernetesClient client) {
        this.client = client;
    }

    /** Records the window; a snapshot deleted meanwhile (404) is logged, not an error. */
    void write(QuiescedSnapshot snapshot, FreezeRecord record) {
        String namespace = snapshot.getMetadata().getNamespace();
        String name = snapshot.getMetadata().getName();
        try {
            client.resources(QuiescedSnapshot.class).inNamespace(namespace).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE),
                            Serialization.asJson(Map.of("status", Map.of("freeze", record))));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.info("{}/{} is gone; its freeze record ({}) is not written", namespace, name, record.getReason());
                return;
            }
            throw e;
        }
    }
}
