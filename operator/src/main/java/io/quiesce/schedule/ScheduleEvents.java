package io.quiesce.schedule;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events (core/v1) about a schedule, for {@code kubectl describe qsched}. Best effort: a
 * failed Event write is logged, never fails the reconcile.
 */
final class ScheduleEvents {
    static final String NORMAL = "Normal";
    static final String WARNING = "Warning";
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleEvents.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final Clock clock;

    ScheduleEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void record(QuiescedSnapshotSchedule schedule, String type, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        var meta = schedule.getMetadata();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try {
            client.v1().events().inNamespace(meta.getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(meta.getNamespace())
                    .withName(truncate(meta.getName()) + "." + suffix).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(schedule.getApiVersion())
                            .withKind(schedule.getKind()).withNamespace(meta.getNamespace()).withName(meta.getName())
                            .withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion()).build())
                    .withType(type).withReason(reason).withMessage(text).withCount(1)
                    .withFirstTimestamp(now).withLastTimestamp(now)
                    .withNewSource().withComponent("quiesce-operator").endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record event {} on schedule {}/{}: {}", reason, meta.getNamespace(), meta.getName(),
                    e.getMessage());
        }
    }

    /** Event names are the object's name plus a suffix; keep the whole within 253 characters. */
    private static String truncate(String name) {
        return (name.length() > 200 ? name.substring(0, 200) : name).toLowerCase(Locale.ROOT);
    }
}
