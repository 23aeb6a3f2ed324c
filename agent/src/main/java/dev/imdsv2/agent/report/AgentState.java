package dev.imdsv2.agent.report;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/**
 * The running agent as its outputs (the MBean, the meters) read it: its state, not the runtime that wires it, so
 * that those packages depend on what they show and nothing above it.
 */
public interface AgentState {
    String agentVersion();

    AgentConfig config();

    TokenManager tokens();

    TokenFetchStats tokenFetches();

    RequestCounters counters();

    CallSites callSites();

    /** The verdict's live counts, for the gauges: no call site is read. */
    Readiness readinessCounts();

    /** The readiness verdict of this moment, with the call site of the last tokenless request that reached IMDS. */
    Readiness.View readiness();

    /** The call-site report (JSON) of this moment. */
    String callSiteReport();

    /** The run-time mode switch (JMX): effective on the next request, and said in the log as a re-attach is. */
    void switchMode(Mode mode);
}
