package io.quiesce.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.quiesce.api.ApiValues;

/**
 * One channel the node helper tried for a snapshot's freeze, before sending any freeze command
 * ({@code status.channelAttempts[]}): the socket looked for, then a probe that connects,
 * authenticates, looks the domain up and pings the guest agent. Written by the node helper only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChannelAttempt {

  /**
   * Longest message kept; a longer one is cut (texts from sockets and daemons are not trusted to be
   * short).
   */
  public static final int MAX_MESSAGE = 1024;

  @Required
  @JsonPropertyDescription(
      "The channel tried: libvirt (the virt-launcher pod's libvirt daemon) or qga (the guest "
          + "agent socket).")
  private FreezeMethod channel;

  @Required
  @JsonPropertyDescription(
      "The outcome in one CamelCase word: Ready (the guest agent answered through this channel, "
          + "which was then used), or why the channel could not be used, e.g. LibvirtSocketNotFound, "
          + "LibvirtPermissionDenied, AgentSocketNotFound, AgentNotResponding, AgentUnavailable.")
  @io.fabric8.generator.annotation.Pattern("^[A-Z][A-Za-z0-9]*$")
  @Size(max = 128)
  private String reason;

  @JsonPropertyDescription(
      "What was found, for people, and how to fix it when the channel could not be used.")
  @Size(max = MAX_MESSAGE)
  private String message;

  public ChannelAttempt() {}

  public ChannelAttempt(FreezeMethod channel, String reason, String message) {
    this.channel = channel;
    this.reason = reason;
    setMessage(message);
  }

  public FreezeMethod getChannel() {
    return channel;
  }

  public void setChannel(FreezeMethod channel) {
    this.channel = channel;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  /** Keeps at most {@link #MAX_MESSAGE} characters. */
  public void setMessage(String message) {
    this.message =
        message == null || message.length() <= MAX_MESSAGE
            ? message
            : message.substring(0, MAX_MESSAGE - 3) + "...";
  }

  /** Every field compared ({@link ApiValues}): a new field needs no line here. */
  @Override
  public boolean equals(Object o) {
    return ApiValues.fieldsEqual(this, o);
  }

  @Override
  public int hashCode() {
    return ApiValues.fieldsHash(this);
  }

  @Override
  public String toString() {
    return channel + ": " + reason + (message == null ? "" : " (" + message + ")");
  }
}
