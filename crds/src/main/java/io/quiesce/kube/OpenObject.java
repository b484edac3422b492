package io.quiesce.kube;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object of another project's API that keeps every field its Java class does not declare.
 *
 * <p>Quiesce models only the parts of external kinds it reads or writes; the rest must survive a
 * read-modify-write round trip untouched, so undeclared fields are kept here and written back.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class OpenObject {

  private final Map<String, Object> additionalProperties = new LinkedHashMap<>();

  /** Fields of the JSON object that this class does not declare, in the order they were read. */
  @JsonAnyGetter
  public Map<String, Object> getAdditionalProperties() {
    return additionalProperties;
  }

  /** Keeps an undeclared field so that it is written back unchanged. */
  @JsonAnySetter
  public void setAdditionalProperty(String name, Object value) {
    additionalProperties.put(name, value);
  }
}
