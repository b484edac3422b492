package io.quiesce.kube;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An external kind with the usual {@code spec} (desired state) and {@code status} (observed state).
 *
 * @param <S> the spec type
 * @param <T> the status type
 */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public abstract class SpecAndStatusResource<S, T> extends ExternalResource {

  private S spec;
  private T status;

  public S getSpec() {
    return spec;
  }

  public void setSpec(S spec) {
    this.spec = spec;
  }

  public T getStatus() {
    return status;
  }

  public void setStatus(T status) {
    this.status = status;
  }
}
