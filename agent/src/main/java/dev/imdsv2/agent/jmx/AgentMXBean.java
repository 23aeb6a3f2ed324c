package dev.imdsv2.agent.jmx;

import java.util.Map;

/**
 * The agent as JMX shows it, under {@code dev.imdsv2:type=Agent}: what {@code status} reads from a running
 * JVM, and where an operator switches the mode at run time. Only plain types, so any JMX client (jconsole,
 * the agent's own CLI) reads it without the agent's classes.
 */
public interface AgentMXBean {
    String OBJECT_NAME = "dev.imdsv2:type=Agent";

    String getVersion();

    /** {@code off}, {@code observe}, {@code upgrade} or {@code enforce}. */
    String getMode();

    /** Takes effect on the next request; an unknown mode is refused with an {@link IllegalArgumentException}. */
    void setMode(String mode);

    String getEndpoints();

    /** Seconds until the cached token expires; 0 when there is none. */
    long getTokenExpirySeconds();

    /** What is known to keep tokens away (the container hop-limit trap), or null. */
    String getTokenDiagnosis();

    /** IMDS requests by {@code client=..,version=..,action=..,category=..}. */
    Map<String, Long> getRequestCounts();

    /** 401s IMDS gave to requests the agent upgraded, by client. */
    Map<String, Long> getUnauthorizedCounts();

    /** Token PUTs by outcome. */
    Map<String, Long> getTokenFetchCounts();

    /** One line per v1 call site: {@code site client=.. category=.. upgraded=.. passed=.. blocked=..}. */
    String[] getCallSites();

    /**
     * The call-site report as JSON, the document {@code imdsv2.report.file} holds: per call site client, category,
     * counts per action, first and last seen; totals; the readiness verdict.
     */
    String getCallSiteReport();

    /**
     * Tokenless requests that reached IMDS as such (v1, passed) in the current phase: since the agent started or
     * its mode last changed (README.md, "Readiness"). Blocked requests never reached IMDS and are not counted.
     */
    long getV1RequestsReachingImds();

    /** The same since the agent started: the history the phase leaves out. */
    long getV1RequestsReachingImdsSinceStart();

    /** When the current phase began (ISO-8601 UTC). */
    String getPhaseStartedAt();

    /** {@code READY}, {@code NOT_READY}, {@code WAITING} (nothing seen yet in this phase) or {@code OFF}. */
    String getReadiness();

    /** True when the instance may require tokens as far as this JVM can tell: {@link #getReadiness()} is READY. */
    boolean isReady();

    /** The verdict in one sentence, as {@code status} and the report give it. */
    String getVerdict();

    /** "at TIME from SITE" for the last tokenless request of this phase that reached IMDS, or null. */
    String getLastV1ReachingImds();

    /** Failures inside the agent, each of which let its request go out as the application made it. */
    long getInternalFailures();
}
