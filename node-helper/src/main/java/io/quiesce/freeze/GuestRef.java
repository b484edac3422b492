package io.quiesce.freeze;

import java.util.Objects;

/**
 * Names one guest the helper serves: the namespace and name of its VirtualMachineInstance (or, for
 * the command line, a fixed namespace and the agent socket path).
 *
 * @param namespace Kubernetes namespace
 * @param name VirtualMachineInstance name
 */
public record GuestRef(String namespace, String name) {

  public GuestRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    if (namespace.isBlank() || name.isBlank()) {
      throw new IllegalArgumentException("guest namespace and name must not be blank");
    }
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
