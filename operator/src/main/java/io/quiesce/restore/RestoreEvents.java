package io.quiesce.restore;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshotRestore;
import io.quiesce.restore.RestoreDecision.RestoreEvent;
import io.quiesce.status.BoundedText;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records Kubernetes Events ({@code core/v1}) on restores; a failure to record is only logged. */
public final class RestoreEvents {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreEvents.class);

    private final KubernetesClient client;
    private final String instance;
    private final Clock clock;

    public RestoreEvents(KubernetesClient client, String instance, Clock clock) {
        this.client = client;
        this.instance = instance;
        this.clock = clock;
    }

    void record(QuiescedSnapshotRestore on, RestoreEvent event) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        String ns = on.getMetadata().getNamespace();
        try {
            client.v1().events().inNamespace(ns).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(on.getMetadata().getName() + "." + Long.toHexString(
                                ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                        .withNamespace(ns)
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(on.getApiVersion())
                            .withKind(on.getKind()).withName(on.getMetadata().getName()).withNamespace(ns)
                            .withUid(on.getMetadata().getUid()).build())
                    .withType(event.warning() ? "Warning" : "Normal")
                    .withReason(event.reason())
                    .withMessage(BoundedText.error(event.message()))
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent("quiesce-operator").endSource()
                    .withReportingComponent("quiesce.io/operator")
                    .withReportingInstance(instance)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record Event {} on restore {}/{}: {}", event.reason(), ns, on.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
