/**
 * Typed models of the parts of KubeVirt's {@code kubevirt.io/v1} VirtualMachine and
 * VirtualMachineInstance that Quiesce uses. Field names and types follow KubeVirt's OpenAPI spec
 * ({@code api/openapi-spec/swagger.json}); everything else is kept as unknown fields and written
 * back unchanged.
 */
package io.quiesce.kube.kubevirt;
