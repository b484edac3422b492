package io.quiesce.schedule;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quiesce.api.v1alpha1.FireCounts;
import io.quiesce.api.v1alpha1.QuiescedSnapshot;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link FirePlan}: creates the planned snapshots. On AlreadyExists the object of that
 * name is read back: when this schedule created it (an earlier run of the same fire, before a restart
 * or failover) it counts as created, not created twice; when it is someone else's, the VM got no
 * backup, and the fire reports the name as taken.
 */
final class ScheduleFire {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFire.class);

    /** What a fire did; {@code newSnapshots} are the objects this run created (for status before the cache has them). */
    record Result(Instant fireTime, int selected, int created, int alreadyExisted, List<FirePlan.Step> skipped,
            List<String> failures, List<String> foreign, List<QuiescedSnapshot> newSnapshots) {

        FireCounts counts() {
            FireCounts counts = new FireCounts();
            counts.setSelected(selected);
            counts.setCreated(created + alreadyExisted);
            counts.setSkipped(skipped.size());
            counts.setFailed(failures.size() + foreign.size());
            return counts;
        }
    }

    private ScheduleFire() {
    }

    /**
     * @param create creates one snapshot through the API and returns it as stored
     * @param read     reads the snapshot of a name from the API (null when there is none)
     */
    static Result run(ScheduledSnapshotTemplate template, Instant fireTime, List<FirePlan.Step> steps,
            UnaryOperator<QuiescedSnapshot> create, Function<String, QuiescedSnapshot> read) {
        int created = 0;
        int existed = 0;
        List<FirePlan.Step> skipped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        List<QuiescedSnapshot> fresh = new ArrayList<>();
        for (FirePlan.Step step : steps) {
            switch (step.action()) {
                case ALREADY_EXISTS -> existed++;
                case SKIP_ACTIVE -> skipped.add(step);
                case CREATE -> {
                    try {
                        fresh.add(create.apply(template.snapshotOf(step.vm(), fireTime)));
                        created++;
                    } catch (KubernetesClientException e) {
                        if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                            QuiescedSnapshot existing = readQuietly(read, step.snapshotName());
                            if (existing != null && template.created(existing)) {
                                existed++;
                            } else {
                                LOG.warn("snapshot name {} for VM {} is taken by an object this schedule did not create",
                                        step.snapshotName(), step.vm());
                                foreign.add(step.snapshotName() + " (VM " + step.vm() + ")");
                            }
                        } else {
                            LOG.warn("could not create snapshot {} of VM {}: {}", step.snapshotName(), step.vm(),
                                    e.getMessage());
                            failures.add(step.vm() + ": " + e.getMessage());
                        }
                    }
                }
                default -> throw new IllegalStateException(step.action().name());
            }
        }
        return new Result(fireTime, steps.size(), created, existed, List.copyOf(skipped), List.copyOf(failures),
                List.copyOf(foreign), List.copyOf(fresh));
    }

    private static QuiescedSnapshot readQuietly(Function<String, QuiescedSnapshot> read, String name) {
        try {
            return read.apply(name);
        } catch (KubernetesClientException e) {
            return null; // unknown owner: not counted as ours
        }
    }
}
