package io.quiesce.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** What to snapshot and how to quiesce it. */
public class QuiescedSnapshotSpec {
    /** Name of the VirtualMachine (kubevirt.io/v1) in this namespace to snapshot. */
    @Required
    private String source;

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }
}
