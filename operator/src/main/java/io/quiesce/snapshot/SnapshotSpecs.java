package io.quiesce.snapshot;

import io.quiesce.api.GoDurations;
import io.quiesce.api.v1alpha1.DeletionPolicy;
import io.quiesce.api.v1alpha1.QuiesceMode;
import io.quiesce.api.v1alpha1.QuiesceOptions;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import io.quiesce.api.v1alpha1.QuiescedSnapshotSpec;
import io.quiesce.api.v1alpha1.SnapshotOptions;
import java.time.Duration;
import java.time.Instant;

/**
 * The spec as the operator reads it, with the schema's defaults applied: an API server that did not
 * default the object (the test API server) must give the same behaviour as one that did.
 */
final class SnapshotSpecs {
    private SnapshotSpecs() {
    }

    static QuiesceMode mode(QuiescedSnapshot s) {
        QuiesceOptions q = spec(s).getQuiesce();
        return q == null || q.getMode() == null ? QuiesceMode.Required : q.getMode();
    }

    static Duration quiesceTimeout(QuiescedSnapshot s) {
        QuiesceOptions q = spec(s).getQuiesce();
        return GoDurations.parse(q == null || q.getTimeout() == null ? QuiesceOptions.DEFAULT_TIMEOUT : q.getTimeout());
    }

    static DeletionPolicy deletionPolicy(QuiescedSnapshot s) {
        DeletionPolicy p = spec(s).getDeletionPolicy();
        return p == null ? DeletionPolicy.Delete : p;
    }

    /** Creation time plus failureDeadline. */
    static Instant deadline(QuiescedSnapshot s) {
        String text = spec(s).getFailureDeadline();
        Duration d = GoDurations.parse(text == null ? SnapshotOptions.DEFAULT_FAILURE_DEADLINE : text);
        return created(s).plus(d);
    }

    static Instant created(QuiescedSnapshot s) {
        String ts = s.getMetadata().getCreationTimestamp();
        return ts == null ? Instant.EPOCH : Instant.parse(ts);
    }

    static QuiescedSnapshotSpec spec(QuiescedSnapshot s) {
        return s.getSpec() == null ? new QuiescedSnapshotSpec() : s.getSpec();
    }
}
