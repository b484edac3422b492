/**
 * Typed models of the CSI snapshot API, {@code snapshot.storage.k8s.io/v1}, from
 * kubernetes-csi/external-snapshotter. Field names and types follow the upstream CRDs; fields
 * Quiesce does not use are kept as unknown fields and written back unchanged.
 */
package io.quiesce.kube.csi;
