package dev.imdsv2.agent.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.imdsv2.agent.jmx.AgentMXBean;
import dev.imdsv2.agent.log.Formats;
import dev.imdsv2.agent.report.Readiness;

/** The agent's MBean in a running JVM, read once: what {@code status} shows and judges. */
final class AgentStatus {
    final String mode;
    /** False before the JVM's first IMDS request: the agent has published no MBean, so no counts, yet. */
    final boolean published;
    final String endpoints;
    final long tokenExpirySeconds;
    final Map<String, Long> tokenFetchCounts;
    final String tokenDiagnosis;
    /** By {@code client=..,version=..,action=..,category=..}. */
    final Map<String, Long> requestCounts;
    final Map<String, Long> unauthorizedCounts;
    final String[] callSites;
    /** The agent's readiness verdict: {@code READY}, {@code NOT_READY}, {@code WAITING} or {@code OFF}. */
    final String readiness;
    /** The verdict in the agent's own sentence, {@code "not ready: 2 tokenless requests reached IMDS since ..."}. */
    final String verdict;
    /** ISO-8601 UTC; null when unknown. */
    final String phaseStartedAt;
    /** In the current phase. */
    final long v1RequestsReachingImds;
    final long v1RequestsReachingImdsSinceStart;
    /** "at TIME from SITE", or null. */
    final String lastV1ReachingImds;

    private AgentStatus(String mode, boolean published, String endpoints, long tokenExpirySeconds,
            Map<String, Long> tokenFetchCounts, String tokenDiagnosis, Map<String, Long> requestCounts,
            Map<String, Long> unauthorizedCounts, String[] callSites, String readiness, String verdict,
            String phaseStartedAt, long v1RequestsReachingImds, long v1RequestsReachingImdsSinceStart,
            String lastV1ReachingImds) {
        this.mode = mode;
        this.published = published;
        this.endpoints = endpoints;
        this.tokenExpirySeconds = tokenExpirySeconds;
        this.tokenFetchCounts = tokenFetchCounts;
        this.tokenDiagnosis = tokenDiagnosis;
        this.requestCounts = requestCounts;
        this.unauthorizedCounts = unauthorizedCounts;
        this.callSites = callSites;
        this.readiness = readiness;
        this.verdict = verdict;
        this.phaseStartedAt = phaseStartedAt;
        this.v1RequestsReachingImds = v1RequestsReachingImds;
        this.v1RequestsReachingImdsSinceStart = v1RequestsReachingImdsSinceStart;
        this.lastV1ReachingImds = lastV1ReachingImds;
    }

    static AgentStatus read(AgentMXBean agent) {
        return new AgentStatus(agent.getMode(), true, agent.getEndpoints(), agent.getTokenExpirySeconds(),
                agent.getTokenFetchCounts(), agent.getTokenDiagnosis(), agent.getRequestCounts(),
                agent.getUnauthorizedCounts(), agent.getCallSites(), agent.getReadiness(), agent.getVerdict(),
                agent.getPhaseStartedAt(), agent.getV1RequestsReachingImds(), agent.getV1RequestsReachingImdsSinceStart(),
                agent.getLastV1ReachingImds());
    }

    /**
     * Before the JVM's first IMDS request the agent has published no MBean: nothing was counted, and the verdict
     * depends on time alone, the phase the agent published and how long a phase without requests waits.
     */
    static AgentStatus nothingSeenYet(JvmProperties properties, long nowMillis) {
        Readiness.View view = new Readiness(properties.mode, properties.readyAfterMillis, properties.phaseStartMillis)
                .view(nowMillis);
        Map<String, Long> none = Collections.emptyMap();
        return new AgentStatus(properties.mode, false, null, 0, none, null, none, none, new String[0], view.state.name(),
                view.verdict(), properties.phaseStartMillis == 0 ? null : Formats.timestamp(properties.phaseStartMillis),
                0, 0, null);
    }

    long requestsSeen() {
        long total = 0;
        for (long n : requestCounts.values()) {
            total += n;
        }
        return total;
    }

    /** {@code client=..,version=..,action=..,category=..} counts summed over the categories. */
    static Map<String, Long> byClientVersionAction(Map<String, Long> counts) {
        Map<String, Long> sums = new LinkedHashMap<String, Long>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            StringBuilder key = new StringBuilder();
            for (String tag : e.getKey().split(",")) {
                if (!tag.startsWith("category=")) {
                    key.append(key.length() == 0 ? "" : " ").append(tag);
                }
            }
            Long sum = sums.get(key.toString());
            sums.put(key.toString(), (sum == null ? 0 : sum) + e.getValue());
        }
        return sums;
    }
}
