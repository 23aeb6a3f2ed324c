package dev.imdsv2.agent.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the CLI learned about one JVM: its properties through the attach API, for {@code status} the agent's
 * MBean too; or why it could not. Printed as a line of {@code status all} or a JSON object of {@code --json}.
 */
final class JvmReport {
    final String pid;
    /** The user the JVM runs as; null when unknown (no such process, no {@code /proc}). */
    final String user;
    final String mainClass;
    /** Null when the JVM could not be read. */
    final JvmProperties properties;
    /** Null for {@code list}, and when the agent is not there or the JVM could not be read. */
    final AgentStatus agent;
    /** Why the JVM could not be read, or null. */
    final CliException failure;

    private JvmReport(String pid, String user, String mainClass, JvmProperties properties, AgentStatus agent,
            CliException failure) {
        this.pid = pid;
        this.user = user;
        this.mainClass = mainClass;
        this.properties = properties;
        this.agent = agent;
        this.failure = failure;
    }

    static JvmReport read(String pid, JvmProperties properties, AgentStatus agent) {
        return new JvmReport(pid, new LocalProcess(pid).owner(), properties.mainClass, properties, agent, null);
    }

    /** @param mainClass what is known without asking the JVM, or "?" */
    static JvmReport failed(String pid, String mainClass, CliException failure) {
        return new JvmReport(pid, new LocalProcess(pid).owner(), mainClass, null, null, failure);
    }

    /** {@code pid 123 (com.example.Main)}: how every output of the CLI names a JVM. */
    String jvm() {
        return "pid " + pid + " (" + mainClass + ")";
    }

    boolean hasAgent() {
        return properties != null && properties.agentVersion != null;
    }

    String mode() {
        return agent != null ? agent.mode : properties == null ? null : properties.mode;
    }

    Verdict verdict() {
        if (failure != null) {
            return Verdict.UNREACHABLE;
        }
        if (!hasAgent()) {
            return Verdict.NO_AGENT;
        }
        return Verdict.of(agent);
    }

    /** Why the verdict is what it is, in a sentence that does not repeat the JVM's name. */
    String reason() {
        switch (verdict()) {
            case UNREACHABLE:
                return failure.getMessage();
            case NO_AGENT:
                return "the agent is not in it, so it has no verdict and is not counted as ready;"
                        + " load it with: java -jar imdsv2-agent.jar attach " + pid;
            default:
                // the agent's sentence, "not ready: 2 tokenless requests reached IMDS since ...", without its verdict
                int colon = agent.verdict.indexOf(": ");
                return colon < 0 ? agent.verdict : agent.verdict.substring(colon + 2);
        }
    }

    /** One line of {@code status all}. */
    String statusLine(boolean showUser) {
        StringBuilder line = new StringBuilder("pid ").append(pid).append(" (").append(mainClass);
        if (showUser && user != null) {
            line.append(", user ").append(user);
        }
        line.append("): ").append(verdict().label).append(": ").append(reason());
        if (hasAgent()) {
            line.append(" [imdsv2-agent ").append(properties.agentVersion).append(", mode ").append(mode()).append(']');
        }
        return line.toString();
    }

    /** The JVM as {@code --json} gives it; with {@code withVerdict}, what {@code status} gives. */
    Map<String, Object> json(boolean withVerdict) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("pid", Long.valueOf(pid));
        json.put("user", user);
        json.put("mainClass", mainClass);
        json.put("java", properties == null || properties.java == 0 ? null : Integer.valueOf(properties.java));
        json.put("agentVersion", properties == null ? null : properties.agentVersion);
        json.put("mode", mode());
        json.put("metricsUrl", properties == null ? null : properties.metricsUrl);
        json.put("error", failure == null ? null : failure.getMessage());
        if (!withVerdict) {
            return json;
        }
        Verdict verdict = verdict();
        json.put("verdict", verdict.name());
        json.put("ready", verdict == Verdict.READY);
        json.put("exitCode", verdict.exitCode);
        json.put("reason", reason());
        if (agent != null) {
            json.put("phaseStartedAt", agent.phaseStartedAt);
            json.put("v1RequestsReachingImds", agent.v1RequestsReachingImds);
            json.put("lastV1ReachingImds", agent.lastV1ReachingImds);
            json.put("v1RequestsReachingImdsSinceStart", agent.v1RequestsReachingImdsSinceStart);
            json.put("requestsSeen", agent.requestsSeen());
            json.put("countsPublished", agent.published);
            json.put("endpoints", agent.endpoints);
            json.put("tokenExpirySeconds", agent.tokenExpirySeconds);
            json.put("tokenDiagnosis", agent.tokenDiagnosis);
            json.put("tokenFetches", new LinkedHashMap<String, Object>(agent.tokenFetchCounts));
            json.put("requests", requests(agent.requestCounts));
            json.put("unauthorized", new LinkedHashMap<String, Object>(agent.unauthorizedCounts));
            json.put("callSites", new ArrayList<Object>(Arrays.asList((Object[]) agent.callSites)));
        }
        return json;
    }

    /** {@code client=..,version=..,action=..,category=..} → one object per count, its tags as fields. */
    private static List<Object> requests(Map<String, Long> counts) {
        List<Object> requests = new ArrayList<Object>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            Map<String, Object> request = new LinkedHashMap<String, Object>();
            for (String tag : e.getKey().split(",")) {
                int eq = tag.indexOf('=');
                if (eq > 0) {
                    request.put(tag.substring(0, eq), tag.substring(eq + 1));
                }
            }
            request.put("count", e.getValue());
            requests.add(request);
        }
        return requests;
    }
}
