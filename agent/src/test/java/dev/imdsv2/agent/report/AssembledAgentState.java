package dev.imdsv2.agent.report;

import java.util.Collections;
import java.util.Properties;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/**
 * The agent's state made of its real parts (configuration, token manager, counters, call sites, readiness), without
 * the runtime that wires them at start: what the MBean and the meters read, for their unit tests.
 */
public final class AssembledAgentState implements AgentState {
    private volatile AgentConfig config;
    private final Readiness readiness;
    private final RequestCounters counters;
    private final CallSites callSites;
    private final TokenFetchStats tokenFetches = new TokenFetchStats();
    private final TokenManager tokens;

    /** @param agentArguments as {@code -javaagent:...=} would give them; nothing is read from the environment */
    public AssembledAgentState(String agentArguments) {
        this.config = ConfigLoader.load(agentArguments, new Properties(), Collections.<String, String>emptyMap());
        this.readiness = new Readiness(config.mode().configName(), config.readyAfterSeconds() * 1000L, System.currentTimeMillis());
        this.counters = new RequestCounters(readiness);
        this.callSites = new CallSites(readiness);
        this.tokens = new TokenManager(config, tokenFetches);
    }

    @Override
    public String agentVersion() {
        return "0.0.0-test";
    }

    @Override
    public AgentConfig config() {
        return config;
    }

    @Override
    public TokenManager tokens() {
        return tokens;
    }

    @Override
    public TokenFetchStats tokenFetches() {
        return tokenFetches;
    }

    @Override
    public RequestCounters counters() {
        return counters;
    }

    @Override
    public CallSites callSites() {
        return callSites;
    }

    @Override
    public Readiness readinessCounts() {
        return readiness;
    }

    @Override
    public Readiness.View readiness() {
        callSites.size();
        return readiness.view(System.currentTimeMillis());
    }

    @Override
    public String callSiteReport() {
        return CallSiteReport.json(agentVersion(), counters, callSites, readiness, System.currentTimeMillis());
    }

    /** As the runtime does: the new mode, and a new readiness phase. */
    @Override
    public void switchMode(Mode mode) {
        config = config.withMode(mode);
        readiness.modeSet(mode.configName(), config.readyAfterSeconds() * 1000L, System.currentTimeMillis());
    }

    /** One request as the decision path counts it: in the counters and at its call site. */
    public void request(String site, String client, String version, Action action, Category category) {
        counters.countRequest(client, version, action, category);
        if ("v1".equals(version)) {
            callSites.record(site, client, category, action);
        }
    }
}
