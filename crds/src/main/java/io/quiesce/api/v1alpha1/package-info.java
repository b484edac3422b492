/**
 * The {@code quiesce.io/v1alpha1} API: {@link io.quiesce.api.v1alpha1.QuiescedSnapshot} (one
 * quiesced snapshot of one VM) and {@link io.quiesce.api.v1alpha1.QuiescedSnapshotSchedule} (many
 * VMs, repeatedly). The CRDs under {@code crds/} are generated from these classes ({@code
 * hack/update-crds.sh}).
 *
 * <p>Conventions of these classes:
 *
 * <ul>
 *   <li>Each field's user-facing documentation is its {@code @JsonPropertyDescription}, the one
 *       source of the CRD's descriptions ({@code kubectl explain}); the crd-generator reads
 *       compiled classes and never sees Javadoc, so field Javadoc only adds what users need not
 *       know, such as which component writes a status field (each has exactly one writer).
 *   <li>Validation sits on the fields as generator annotations and CEL rules
 *       ({@code @ValidationRule}); what those cannot say is added by {@link
 *       io.quiesce.api.schema.SchemaPatch}.
 *   <li>Unset fields are null and are not serialized, so a merge patch of a status never clears a
 *       field another component wrote. Defaults are applied by the API server; code that reads
 *       objects no API server defaulted falls back to the {@code DEFAULT_*} constants.
 *   <li>Timestamps are RFC 3339 strings and durations Go duration strings ({@code 5s}, {@code
 *       1h30m}), as in the Kubernetes API.
 * </ul>
 */
package io.quiesce.api.v1alpha1;
