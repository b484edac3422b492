/**
 * CSI VolumeGroupSnapshots of a QuiescedSnapshot: the object to create, its name and the PVC label
 * its selector matches, shared by the operator and the node helper (either may run the window).
 */
package io.quiesce.groups;
