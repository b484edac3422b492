package io.quiesce.window;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kubernetes Events on a QuiescedSnapshot ({@code Frozen}, {@code Thawed}, {@code FreezeFailed}).
 * Sent in the background: an Event is never worth a millisecond of a frozen guest, and a failed one
 * is only logged.
 */
final class SnapshotEvents {
    static final String COMPONENT = "quiesce-node-helper";
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEvents.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final String node;
    private final ExecutorService sender;

    SnapshotEvents(KubernetesClient client, String node, ExecutorService sender) {
        this.client = client;
        this.node = node;
        this.sender = sender;
    }

    void normal(QuiescedSnapshot snapshot, String reason, String message) {
        send(snapshot, "Normal", reason, message);
    }

    void warning(QuiescedSnapshot snapshot, String reason, String message) {
        send(snapshot, "Warning", reason, message);
    }

    private void send(QuiescedSnapshot snapshot, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
        var event = new EventBuilder()
                .withNewMetadata()
                    .withNamespace(snapshot.getMetadata().getNamespace())
                    .withName(snapshot.getMetadata().getName() + "." + Long.toHexString(
                            ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE).toLowerCase(Locale.ROOT))
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(snapshot.getApiVersion()).withKind(snapshot.getKind())
                        .withNamespace(snapshot.getMetadata().getNamespace()).withName(snapshot.getMetadata().getName())
                        .withUid(snapshot.getMetadata().getUid())
                        .withResourceVersion(snapshot.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason).withMessage(text)
                .withNewSource().withComponent(COMPONENT).withHost(node).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(COMPONENT + "-" + node)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            sender.execute(() -> {
                try {
                    client.v1().events().resource(event).create();
                } catch (RuntimeException e) {
                    LOG.warn("could not record Event {} on {}/{}: {}", reason, snapshot.getMetadata().getNamespace(),
                            snapshot.getMetadata().getName(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("helper stopping; Event {} dropped", reason);
        }
    }
}
