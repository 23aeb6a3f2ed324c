package dev.imdsv2.agent.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The agent's settings, immutable; {@link ConfigLoader} builds it from every source README.md's "Configuration" names. A
 * reconfiguration (re-attach, JMX) swaps in a whole new instance, so a request always sees one
 * consistent set of values.
 */
public final class AgentConfig {
    /** The client instrumentations that {@code imdsv2.instrumentation.<name>.enabled} can switch. */
    public static final List<String> INSTRUMENTATIONS = KnownClient.tags();

    private final Mode mode;
    private final List<Endpoint> endpoints;
    private final int tokenTtlSeconds;
    private final int tokenTimeoutMillis;
    private final int tokenRetryAfterSeconds;
    private final PrefixList upgradeCallers;
    private final PrefixList upgradePaths;
    private final Map<String, Boolean> instrumentationEnabled;
    private final Integer prometheusPort;
    private final String prometheusHost;
    private final boolean applicationRegistry;
    private final String textfileDir;
    private final int textfileIntervalSeconds;
    private final String reportFile;
    private final int readyAfterSeconds;
    private final String logLevel;
    private final String logFormat;
    private final Map<String, String> agentArguments;
    private final List<String> problems;

    AgentConfig(Mode mode, List<Endpoint> endpoints, int tokenTtlSeconds, int tokenTimeoutMillis,
                int tokenRetryAfterSeconds, PrefixList upgradeCallers, PrefixList upgradePaths,
                Map<String, Boolean> instrumentationEnabled, Integer prometheusPort, String prometheusHost,
                boolean applicationRegistry, String textfileDir, int textfileIntervalSeconds, String reportFile,
                int readyAfterSeconds, String logLevel, String logFormat,
                Map<String, String> agentArguments, List<String> problems) {
        this.mode = mode;
        this.endpoints = Collections.unmodifiableList(endpoints);
        this.tokenTtlSeconds = tokenTtlSeconds;
        this.tokenTimeoutMillis = tokenTimeoutMillis;
        this.tokenRetryAfterSeconds = tokenRetryAfterSeconds;
        this.upgradeCallers = upgradeCallers;
        this.upgradePaths = upgradePaths;
        this.instrumentationEnabled = Collections.unmodifiableMap(instrumentationEnabled);
        this.prometheusPort = prometheusPort;
        this.prometheusHost = prometheusHost;
        this.applicationRegistry = applicationRegistry;
        this.textfileDir = textfileDir;
        this.textfileIntervalSeconds = textfileIntervalSeconds;
        this.reportFile = reportFile;
        this.readyAfterSeconds = readyAfterSeconds;
        this.logLevel = logLevel;
        this.logFormat = logFormat;
        this.agentArguments = Collections.unmodifiableMap(agentArguments);
        this.problems = Collections.unmodifiableList(problems);
    }

    public Mode mode() {
        return mode;
    }

    /** A copy with another mode: the run-time switch (JMX) changes nothing else. */
    public AgentConfig withMode(Mode newMode) {
        return new AgentConfig(newMode, endpoints, tokenTtlSeconds, tokenTimeoutMillis, tokenRetryAfterSeconds,
                upgradeCallers, upgradePaths, instrumentationEnabled, prometheusPort, prometheusHost,
                applicationRegistry, textfileDir, textfileIntervalSeconds, reportFile, readyAfterSeconds, logLevel, logFormat, agentArguments,
                Collections.<String>emptyList());
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public int tokenTtlSeconds() {
        return tokenTtlSeconds;
    }

    public int tokenTimeoutMillis() {
        return tokenTimeoutMillis;
    }

    public int tokenRetryAfterSeconds() {
        return tokenRetryAfterSeconds;
    }

    public PrefixList upgradeCallers() {
        return upgradeCallers;
    }

    public PrefixList upgradePaths() {
        return upgradePaths;
    }

    public boolean instrumentationEnabled(String name) {
        Boolean enabled = instrumentationEnabled.get(name);
        return enabled == null || enabled;
    }

    /** Null when the Prometheus endpoint is off. */
    /** The node_exporter textfile collector's folder, or null: see {@code metrics.TextfileExporter}. */
    public String textfileDir() {
        return textfileDir;
    }

    /** How long a phase without any IMDS request waits before it reads as ready ({@code imdsv2.ready.after}). */
    public int readyAfterSeconds() {
        return readyAfterSeconds;
    }

    public int textfileIntervalSeconds() {
        return textfileIntervalSeconds;
    }

    public Integer prometheusPort() {
        return prometheusPort;
    }

    public String prometheusHost() {
        return prometheusHost;
    }

    public boolean applicationRegistry() {
        return applicationRegistry;
    }

    /** Null when no report file is wanted. */
    public String reportFile() {
        return reportFile;
    }

    public String logLevel() {
        return logLevel;
    }

    /** {@code text} or {@code json}. */
    public String logFormat() {
        return logFormat;
    }

    /** The agent argument string as parsed, kept so that a re-attach can layer new arguments on top. */
    public Map<String, String> agentArguments() {
        return agentArguments;
    }

    /** One readable line per bad value or unknown key met while loading; each was replaced by its default. */
    public List<String> problems() {
        return problems;
    }
}
