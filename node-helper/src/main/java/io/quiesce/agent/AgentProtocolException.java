package io.quiesce.agent;

/**
 * The peer broke the QGA protocol: a reply that is not JSON, too large, of the wrong type, or not
 * a reply at all. The connection is dropped; the next call starts a fresh one.
 */
public final class AgentProtocolException extends AgentException {

    public AgentProtocolException(String message) {
        this(message, null);
    }

    public AgentProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String reason() {
        return "AgentProtocolViolation";
    }
}
