package dev.imdsv2.agent.policy;

import java.io.IOException;

/** The decision path's answer for one IMDS hop, which the client instrumentation carries out. */
public final class Decision {
    /** Leave the request as it is (v2 already, passed, observed, or the agent is off). */
    static final Decision LEAVE = new Decision(null, null);

    private final String token;
    private final String blockedMessage;

    private Decision(String token, String blockedMessage) {
        this.token = token;
        this.blockedMessage = blockedMessage;
    }

    static Decision upgrade(String token) {
        return new Decision(token, null);
    }

    static Decision block(String message) {
        return new Decision(null, message);
    }

    /** The token to add as {@code X-aws-ec2-metadata-token}, or null to add none. */
    public String token() {
        return token;
    }

    public boolean isBlocked() {
        return blockedMessage != null;
    }

    /** The exception to fail the request with, in the caller, before anything reaches IMDS. */
    public IOException failure() {
        return blockedMessage == null ? null : new IOException(blockedMessage);
    }
}
