package io.quiesce.snapshot;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.snapshot.Decision.SnapshotEvent;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records Kubernetes Events ({@code core/v1}) on QuiescedSnapshots; a failure to record is only logged. */
public final class SnapshotEvents {
    /** The component name in {@code source.component}. */
    public static final String COMPONENT = "quiesce-operator";
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEvents.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final String instance;
    private final Clock clock;

    public SnapshotEvents(KubernetesClient client, String instance, Clock clock) {
        this.client = client;
        this.instance = instance;
        this.clock = clock;
    }

    public void record(QuiescedSnapshot on, SnapshotEvent event) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        String message = event.message().length() > MAX_MESSAGE ? event.message().substring(0, MAX_MESSAGE)
                : event.message();
        try {
            client.v1().events().inNamespace(on.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata()
                        .withName(on.getMetadata().getName() + "." + Long.toHexString(ThreadLocalRandom.current()
                                .nextLong() & Long.MAX_VALUE))
                        .withNamespace(on.getMetadata().getNamespace())
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(on.getApiVersion())
                            .withKind(on.getKind()).withName(on.getMetadata().getName())
                            .withNamespace(on.getMetadata().getNamespace()).withUid(on.getMetadata().getUid())
                            .withResourceVersion(on.getMetadata().getResourceVersion()).build())
                    .withType(event.warning() ? "Warning" : "Normal")
                    .withReason(event.reason())
                    .withMessage(message)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent("quiesce.io/operator")
                    .withReportingInstance(instance)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record Event {} on {}/{}: {}", event.reason(), on.getMetadata().getNamespace(),
                    on.getMetadata().getName(), e.getMessage());
        }
    }
}
