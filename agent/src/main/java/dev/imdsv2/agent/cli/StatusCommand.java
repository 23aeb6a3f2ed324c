package dev.imdsv2.agent.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import dev.imdsv2.agent.jmx.AgentMXBean;

/**
 * {@code status [--json] <pid>|all}: what the agent in a running JVM has seen, read from its MBean over the JVM's
 * local JMX connector (started through the attach API if need be; no agent is loaded). The exit code is the
 * readiness verdict, so a script can gate {@code HttpTokens=required} on it. {@code all} is that gate for the
 * whole host: one line per JVM, and exit 0 only when every JVM has the agent and is ready.
 */
final class StatusCommand {
    /** The agent publishes a second after the first IMDS request; this leaves room for a busy JVM. */
    private static final long MBEAN_WAIT_NANOS = 10_000_000_000L;
    /** For {@code all}: room for starting JMX in a busy JVM and the wait for its MBean above. */
    private static final long ANSWER_SECONDS = 30;

    private final Jvms jvms;
    private final PrintStream out;
    private final PrintStream err;

    StatusCommand(Jvms jvms, PrintStream out, PrintStream err) {
        this.jvms = jvms;
        this.out = out;
        this.err = err;
    }

    int run(String pid, boolean json) {
        JvmReport report = read(pid);
        Verdict verdict = report.verdict();
        if (verdict == Verdict.UNREACHABLE) {
            err.println("imdsv2-agent: " + report.failure.getMessage());
        } else if (verdict == Verdict.NO_AGENT) {
            err.println("imdsv2-agent: the agent is not in " + report.jvm() + ": no verdict. Load it with:"
                    + " java -jar imdsv2-agent.jar attach " + pid);
        }
        if (json) {
            out.print(Json.write(report.json(true)));
        } else if (report.hasAgent()) {
            print(report);
        }
        return verdict.exitCode;
    }

    int runAll(boolean json) throws Exception {
        List<JvmReport> reports = Jvms.readAll(jvms.discover(), ANSWER_SECONDS, new Jvms.Reader() {
            @Override
            public JvmReport read(String pid) {
                return StatusCommand.this.read(pid);
            }
        });
        Map<Verdict, List<String>> byVerdict = new EnumMap<Verdict, List<String>>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v, new ArrayList<String>());
        }
        for (JvmReport report : reports) {
            byVerdict.get(report.verdict()).add(report.pid);
        }
        int exitCode = hostExitCode(byVerdict);
        String summary = summary(reports.size(), byVerdict);
        if (json) {
            List<Object> list = new ArrayList<Object>();
            for (JvmReport report : reports) {
                list.add(report.json(true));
            }
            Map<String, Object> counts = new LinkedHashMap<String, Object>();
            for (Verdict v : Verdict.values()) {
                counts.put(v.name(), byVerdict.get(v).size());
            }
            Map<String, Object> document = new LinkedHashMap<String, Object>();
            document.put("user", System.getProperty("user.name"));
            document.put("everyUser", LocalProcess.ownUid() == 0);
            document.put("ready", exitCode == ExitCodes.OK);
            document.put("exitCode", exitCode);
            document.put("summary", summary);
            document.put("verdicts", counts);
            document.put("jvms", list);
            out.print(Json.write(document));
        } else {
            boolean showUser = LocalProcess.ownUid() == 0;
            for (JvmReport report : reports) {
                out.println(report.statusLine(showUser));
            }
            out.println(summary);
        }
        return exitCode;
    }

    /**
     * 0 only when every JVM has the agent and is ready; else the first that applies: 1 (a tokenless request has
     * reached IMDS somewhere: the one definite "no"), 3 (a JVM could not be read), 4 (a JVM has no agent, or it is
     * off), 5 (a JVM has no verdict yet, which comes by itself).
     */
    static int hostExitCode(Map<Verdict, List<String>> byVerdict) {
        for (Verdict v : new Verdict[] {Verdict.NOT_READY, Verdict.UNREACHABLE, Verdict.NO_AGENT, Verdict.OFF, Verdict.WAITING}) {
            if (!byVerdict.get(v).isEmpty()) {
                return v.exitCode;
            }
        }
        return ExitCodes.OK;
    }

    /** The last line of {@code status all}: the host's verdict, naming every JVM that holds it back. */
    static String summary(int jvmCount, Map<Verdict, List<String>> byVerdict) {
        String scope = Jvms.scope();
        if (jvmCount == 0) {
            return "host: READY: no JVM " + scope + " runs here (but this command)";
        }
        if (byVerdict.get(Verdict.READY).size() == jvmCount) {
            return "host: READY: all " + jvmCount + " JVM" + (jvmCount == 1 ? "" : "s") + " " + scope
                    + " have the agent, and it is ready in each";
        }
        StringBuilder summary = new StringBuilder("host: NOT READY: ").append(byVerdict.get(Verdict.READY).size())
                .append(" of ").append(jvmCount).append(" JVMs ").append(scope).append(" ready");
        appendPids(summary, "not ready", byVerdict.get(Verdict.NOT_READY));
        appendPids(summary, "cannot be read", byVerdict.get(Verdict.UNREACHABLE));
        appendPids(summary, "without the agent", byVerdict.get(Verdict.NO_AGENT));
        appendPids(summary, "agent off", byVerdict.get(Verdict.OFF));
        appendPids(summary, "not ready yet", byVerdict.get(Verdict.WAITING));
        return summary.toString();
    }

    private static void appendPids(StringBuilder summary, String what, List<String> pids) {
        if (!pids.isEmpty()) {
            summary.append("; ").append(what).append(": pid");
            for (int i = 0; i < pids.size(); i++) {
                summary.append(i == 0 ? " " : ", ").append(pids.get(i));
            }
        }
    }

    /** One JVM, its failure included: never throws. */
    private JvmReport read(String pid) {
        JvmProperties properties;
        try {
            properties = jvms.inspect(pid, true);
        } catch (CliException e) {
            return JvmReport.failed(pid, Jvms.mainClassFromCommandLine(pid), e);
        }
        if (properties.agentVersion == null) {
            return JvmReport.read(pid, properties, null);
        }
        String jvm = "pid " + pid + " (" + properties.mainClass + ")";
        try {
            return JvmReport.read(pid, properties, readAgent(properties, jvm));
        } catch (CliException e) {
            return JvmReport.failed(pid, properties.mainClass, e);
        }
    }

    private static AgentStatus readAgent(JvmProperties properties, String jvm) throws CliException {
        JMXConnector connector;
        try {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(properties.jmxAddress));
        } catch (Exception e) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "cannot connect to the JMX of " + jvm + " at "
                    + properties.jmxAddress + ": " + e);
        }
        try {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(AgentMXBean.OBJECT_NAME);
            if (!server.isRegistered(name)) {
                if (!properties.imdsSeen) {
                    return AgentStatus.nothingSeenYet(properties, System.currentTimeMillis());
                }
                awaitMBean(server, name, jvm);
            }
            return AgentStatus.read(JMX.newMXBeanProxy(server, name, AgentMXBean.class));
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "reading the agent's MBean in " + jvm + " failed: " + e);
        } finally {
            try {
                connector.close();
            } catch (Exception ignored) {
                // the JVM may have gone; nothing to release then
            }
        }
    }

    /** IMDS requests were seen, and the MBean appears about a second after the first: a verdict must wait for it. */
    private static void awaitMBean(MBeanServerConnection server, ObjectName name, String jvm) throws Exception {
        long deadline = System.nanoTime() + MBEAN_WAIT_NANOS;
        while (!server.isRegistered(name)) {
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCodes.CANNOT_ATTACH, "the agent in " + jvm + " has seen IMDS requests, but"
                        + " its MBean " + AgentMXBean.OBJECT_NAME + " did not appear: no verdict");
            }
            Thread.sleep(100);
        }
    }

    /** {@code status <pid>} as text. */
    private void print(JvmReport report) {
        AgentStatus agent = report.agent;
        out.println(report.jvm() + ": imdsv2-agent " + report.properties.agentVersion);
        if (report.properties.metricsUrl != null) {
            out.println("metrics:    " + report.properties.metricsUrl);
        }
        out.println("mode:       " + agent.mode);
        if (!agent.published) {
            out.println("requests:   none seen yet (the agent publishes its counts with the first IMDS request)");
        } else {
            out.println("endpoints:  " + agent.endpoints);
            out.println("token:      " + (agent.tokenExpirySeconds > 0 ? "cached, expires in " + agent.tokenExpirySeconds
                    + " s" : "none cached") + "; fetches " + nonZero(agent.tokenFetchCounts));
            if (agent.tokenDiagnosis != null) {
                out.println("diagnosis:  " + agent.tokenDiagnosis);
            }
            Map<String, Long> byClientAndAction = AgentStatus.byClientVersionAction(agent.requestCounts);
            if (byClientAndAction.isEmpty()) {
                out.println("requests:   none");
            } else {
                out.println("requests:");
                for (Map.Entry<String, Long> e : byClientAndAction.entrySet()) {
                    out.println(String.format("  %-40s %d", e.getKey(), e.getValue()));
                }
            }
            out.println("401 after upgrade: " + nonZero(agent.unauthorizedCounts));
            out.println("v1 call sites: " + agent.callSites.length);
            for (String site : agent.callSites) {
                out.println("  " + site);
            }
            out.println("(requests and call sites above: since the agent started)");
            out.println("phase:      " + agent.mode + " since " + agent.phaseStartedAt + "; tokenless requests reaching IMDS"
                    + " since then: " + agent.v1RequestsReachingImds);
            if (agent.lastV1ReachingImds != null) {
                out.println("last v1:    reached IMDS " + agent.lastV1ReachingImds);
            }
        }
        out.println("verdict:    " + report.verdict().label + ": " + report.reason());
    }

    private static String nonZero(Map<String, Long> counts) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getValue() != 0) {
                text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return text.length() == 0 ? "none" : text.toString();
    }
}
