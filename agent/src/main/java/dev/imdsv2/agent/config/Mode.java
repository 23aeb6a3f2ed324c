package dev.imdsv2.agent.config;

import java.util.Locale;

/** The phase of the IMDSv1 shutoff the agent is in (README.md, "Configuration" and "Phased shutoff runbook"). */
public enum Mode {
    /** Inert: nothing is detected, changed or counted. */
    OFF,
    /** Detect and report; change nothing. */
    OBSERVE,
    /** Add a token to allowed tokenless requests. */
    UPGRADE,
    /** As upgrade, and a tokenless request that is not upgraded fails fast in the caller. */
    ENFORCE;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String value) {
        for (Mode mode : values()) {
            if (mode.configName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("expected one of off, observe, upgrade, enforce");
    }
}
