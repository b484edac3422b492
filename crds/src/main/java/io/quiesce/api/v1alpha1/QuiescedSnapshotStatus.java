package io.quiesce.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What happened. Written by the operator and, for the freeze window, by the node helper. */
public class QuiescedSnapshotStatus {
    /** Lifecycle phase. */
    private SnapshotPhase phase;
    /** The metadata.generation this status describes. */
    private Long observedGeneration;
    /** Kubernetes-style conditions: Ready, Progressing, Failed. */
    private List<Condition> conditions = new ArrayList<>();

    public SnapshotPhase getPhase() {
        return phase;
    }

    public void setPhase(SnapshotPhase phase) {
        this.phase = phase;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
