/**
 * Consistency groups over several VMs ({@code spec.sources}): the freeze window that freezes every
 * VM of a group together through KubeVirt's API, runs one cut inside the window in which all are
 * frozen, and thaws them all at once. See docs/consistency-groups.md.
 */
package io.quiesce.consistencygroup;
