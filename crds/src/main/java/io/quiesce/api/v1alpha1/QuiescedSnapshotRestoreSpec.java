package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.quiesce.api.schema.Patterns;
import io.quiesce.api.schema.SchemaPatch;
import java.util.List;
import java.util.Objects;

/** What to restore and where. Immutable: a restore records one thing that happened. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(
    value = SchemaPatch.class,
    input =
        "properties: {members: {x-kubernetes-list-type: set,"
            + " items: {maxLength: 253, pattern: '"
            + Patterns.DNS_SUBDOMAIN
            + "'}}}")
@ValidationRule(
    value = "self == oldSelf",
    message =
        "spec is immutable: create a new QuiescedSnapshotRestore to restore again or differently")
public class QuiescedSnapshotRestoreSpec {

  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @Size(min = 1, max = 253)
  @ValidationRule(
      value = "!self.contains('/')",
      message =
          "source names a QuiescedSnapshot of this namespace: "
              + "restoring from another namespace is not supported")
  @JsonPropertyDescription(
      "Name of the QuiescedSnapshot to restore from, in this namespace (a restore never "
          + "reads another namespace's snapshot).")
  private String source;

  @Required
  @JsonPropertyDescription("Where to restore to: exactly one of newVM and inPlace.")
  private RestoreTarget target;

  @JsonPropertyDescription(
      "Restore from a snapshot whose consistency is CrashConsistent. Off by default: "
          + "only FilesystemConsistent snapshots are restored unless this is set.")
  private Boolean allowCrashConsistent;

  @JsonPropertyDescription(
      "Restore from a Failed snapshot, as long as every one of its VolumeSnapshots is ready "
          + "to use. Off by default.")
  private Boolean allowFailed;

  // a group snapshot (spec.sources) is restored whole by default; this picks some of its VMs
  @Size(min = 1, max = 16)
  @JsonPropertyDescription(
      "Only for a QuiescedSnapshot of several VMs (spec.sources): the VMs of the group to "
          + "restore, by name. Omit to restore every member the snapshot cut (a member left out "
          + "of the group is skipped). A name that is not a member, or a member the snapshot did "
          + "not cut, fails the restore before anything is created (MemberNotInSnapshot, "
          + "MemberNotCut). Refused for a snapshot of one VM (NotAGroupSnapshot).")
  private List<String> members;

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public RestoreTarget getTarget() {
    return target;
  }

  public void setTarget(RestoreTarget target) {
    this.target = target;
  }

  public Boolean getAllowCrashConsistent() {
    return allowCrashConsistent;
  }

  public void setAllowCrashConsistent(Boolean allowCrashConsistent) {
    this.allowCrashConsistent = allowCrashConsistent;
  }

  public List<String> getMembers() {
    return members;
  }

  public void setMembers(List<String> members) {
    this.members = members;
  }

  public Boolean getAllowFailed() {
    return allowFailed;
  }

  public void setAllowFailed(Boolean allowFailed) {
    this.allowFailed = allowFailed;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuiescedSnapshotRestoreSpec other
        && Objects.equals(source, other.source)
        && Objects.equals(target, other.target)
        && Objects.equals(allowCrashConsistent, other.allowCrashConsistent)
        && Objects.equals(allowFailed, other.allowFailed)
        && Objects.equals(members, other.members);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, target, allowCrashConsistent, allowFailed, members);
  }
}
