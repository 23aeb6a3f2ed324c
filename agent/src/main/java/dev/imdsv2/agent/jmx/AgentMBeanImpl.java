package dev.imdsv2.agent.jmx;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.log.Formats;
import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.AgentState;
import dev.imdsv2.agent.report.CallSiteReport;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.FetchOutcome;

/** Reads the running agent's shared state; registered once, at start. */
public final class AgentMBeanImpl implements AgentMXBean {
    private final AgentState runtime;

    private AgentMBeanImpl(AgentState runtime) {
        this.runtime = runtime;
    }

    /** Registers the MBean on the platform server; a JVM without JMX simply goes without it. */
    public static void register(AgentState runtime) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        if (!server.isRegistered(name)) {
            server.registerMBean(new AgentMBeanImpl(runtime), name);
        }
    }

    @Override
    public String getVersion() {
        return runtime.agentVersion();
    }

    @Override
    public String getMode() {
        return runtime.config().mode().configName();
    }

    @Override
    public void setMode(String mode) {
        runtime.switchMode(Mode.parse(mode));
    }

    @Override
    public String getEndpoints() {
        return runtime.config().endpoints().toString();
    }

    @Override
    public String getTokenDiagnosis() {
        return runtime.tokens().diagnosis();
    }

    @Override
    public long getTokenExpirySeconds() {
        return runtime.tokens().secondsToExpiry();
    }

    @Override
    public Map<String, Long> getRequestCounts() {
        Map<String, Long> counts = new LinkedHashMap<String, Long>();
        for (Map.Entry<RequestCounters.Key, Long> e : runtime.counters().requests().entrySet()) {
            counts.put(e.getKey().toString(), e.getValue());
        }
        return counts;
    }

    @Override
    public Map<String, Long> getUnauthorizedCounts() {
        return new LinkedHashMap<String, Long>(runtime.counters().unauthorized());
    }

    @Override
    public Map<String, Long> getTokenFetchCounts() {
        Map<String, Long> counts = new LinkedHashMap<String, Long>();
        for (Map.Entry<FetchOutcome, Long> e : runtime.tokenFetches().counts().entrySet()) {
            counts.put(e.getKey().tag(), e.getValue());
        }
        return counts;
    }

    @Override
    public String[] getCallSites() {
        List<String> lines = new ArrayList<String>();
        for (CallSites.Site site : runtime.callSites().snapshot()) {
            StringBuilder line = new StringBuilder(site.site).append(" client=").append(site.client)
                    .append(" category=").append(site.category.tag());
            for (Action action : Action.values()) {
                Long n = site.counts.get(action);
                line.append(' ').append(action.tag()).append('=').append(n == null ? 0 : n);
            }
            lines.add(line.toString());
        }
        return lines.toArray(new String[0]);
    }

    @Override
    public String getCallSiteReport() {
        return runtime.callSiteReport();
    }

    @Override
    public long getV1RequestsReachingImds() {
        return runtime.readinessCounts().v1ReachingImds();
    }

    @Override
    public long getV1RequestsReachingImdsSinceStart() {
        return runtime.counters().total("v1", Action.PASSED);
    }

    @Override
    public String getPhaseStartedAt() {
        return Formats.timestamp(runtime.readinessCounts().phaseStartMillis());
    }

    @Override
    public String getReadiness() {
        return runtime.readiness().state.name();
    }

    @Override
    public boolean isReady() {
        return runtime.readiness().ready();
    }

    @Override
    public String getVerdict() {
        return runtime.readiness().verdict();
    }

    @Override
    public String getLastV1ReachingImds() {
        Readiness.View view = runtime.readiness();
        return view.lastReachingSite == null ? null
                : "at " + Formats.timestamp(view.lastReachingMillis) + " from " + view.lastReachingSite;
    }

    @Override
    public long getInternalFailures() {
        return AgentLog.internalFailures();
    }
}
