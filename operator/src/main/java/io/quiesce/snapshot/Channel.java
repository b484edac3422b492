package io.quiesce.snapshot;

import java.util.Locale;

/** Who freezes a running guest: the node helper on its node, or KubeVirt through its freeze subresource. */
public enum Channel {
    /** The node helper of the VM's node (the normal case). */
    HELPER("helper"),
    /** KubeVirt's {@code virtualmachineinstances/freeze} and {@code /unfreeze}, driven by the operator. */
    KUBEVIRT_API("kubevirt-api");

    /** VM annotation that picks the channel for one VM. */
    public static final String ANNOTATION = "quiesce.io/channel";

    private final String value;

    Channel(String value) {
        this.value = value;
    }

    /** The value as written in settings and annotations. */
    public String value() {
        return value;
    }

    /** Parses {@code helper} or {@code kubevirt-api}. */
    public static Channel parse(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Channel c : values()) {
            if (c.value.equals(wanted)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown channel '" + text + "': expected helper or kubevirt-api");
    }
}
