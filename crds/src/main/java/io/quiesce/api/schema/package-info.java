/**
 * Build-time helpers of the CRD generation: schema-only classes that describe Kubernetes shapes
 * (conditions, label selectors) better than fabric8's model classes do, the shared regular
 * expressions, {@link io.quiesce.api.schema.SchemaPatch}, and {@link
 * io.quiesce.api.schema.GenerateCrds}, which runs the generator.
 */
package io.quiesce.api.schema;
