package dev.imdsv2.agent.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import dev.imdsv2.agent.jmx.AgentMXBean;
import dev.imdsv2.agent.jmx.Published;
import dev.imdsv2.agent.report.Readiness;

/**
 * {@code status <pid>}: what the agent in a running JVM has seen, read from its MBean over the JVM's local
 * JMX connector (started through the attach API if need be; no agent is loaded). The exit code is the
 * readiness verdict, so a script can gate {@code HttpTokens=required} on it.
 */
final class StatusCommand {
    /** The agent publishes a second after the first IMDS request; this leaves room for a busy JVM. */
    private static final long MBEAN_WAIT_NANOS = 10_000_000_000L;

    private final Jvms jvms;
    private final PrintStream out;

    StatusCommand(Jvms jvms, PrintStream out) {
        this.jvms = jvms;
        this.out = out;
    }

    int run(String pid) throws Exception {
        AttachApi.Connection connection = jvms.open(pid);
        String address;
        String jvm;
        Properties properties;
        try {
            properties = connection.systemProperties();
            jvm = "pid " + pid + " (" + Jvms.mainClass(connection) + ")";
            if (properties.getProperty(Published.VERSION_PROPERTY) == null) {
                throw new CliException(ExitCodes.NO_AGENT, "the agent is not in " + jvm
                        + ": no verdict. Load it with: java -jar imdsv2-agent.jar attach " + pid);
            }
            try {
                address = connection.startLocalManagementAgent();
            } catch (Exception e) {
                throw new CliException(ExitCodes.CANNOT_ATTACH, "cannot start JMX in " + jvm + " to read the agent: " + e);
            }
        } finally {
            connection.detach();
        }
        JMXConnector connector;
        try {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        } catch (Exception e) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "cannot connect to the JMX of " + jvm + " at " + address + ": " + e);
        }
        try {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(AgentMXBean.OBJECT_NAME);
            out.println(jvm + ": imdsv2-agent " + properties.getProperty(Published.VERSION_PROPERTY));
            String metrics = properties.getProperty(Published.METRICS_URL_PROPERTY);
            if (metrics != null) {
                out.println("metrics:    " + metrics);
            }
            if (!server.isRegistered(name)) {
                if (properties.getProperty(Published.FIRST_IMDS_REQUEST_PROPERTY) == null) {
                    return nothingSeenYet(properties);
                }
                awaitMBean(server, name, jvm);
            }
            return report(JMX.newMXBeanProxy(server, name, AgentMXBean.class));
        } finally {
            connector.close();
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

    /**
     * The agent publishes its MBean after the first IMDS request. Without one nothing was counted, and the verdict
     * depends on time alone: the phase it published, and how long a phase without requests waits.
     */
    private int nothingSeenYet(Properties properties) {
        String mode = properties.getProperty(Published.MODE_PROPERTY);
        out.println("mode:       " + mode);
        out.println("requests:   none seen yet (the agent publishes its counts with the first IMDS request)");
        Readiness.View view = new Readiness(mode, longProperty(properties, Published.READY_AFTER_MILLIS_PROPERTY),
                longProperty(properties, Published.PHASE_START_PROPERTY)).view(System.currentTimeMillis());
        return verdict(view.state.name(), view.verdict());
    }

    private static long longProperty(Properties properties, String name) {
        try {
            return Long.parseLong(properties.getProperty(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private int report(AgentMXBean agent) {
        String mode = agent.getMode();
        out.println("mode:       " + mode);
        out.println("endpoints:  " + agent.getEndpoints());
        long expiry = agent.getTokenExpirySeconds();
        out.println("token:      " + (expiry > 0 ? "cached, expires in " + expiry + " s" : "none cached")
                + "; fetches " + nonZero(agent.getTokenFetchCounts()));
        String diagnosis = agent.getTokenDiagnosis();
        if (diagnosis != null) {
            out.println("diagnosis:  " + diagnosis);
        }
        Map<String, Long> byClientAndAction = byClientVersionAction(agent.getRequestCounts());
        long total = 0;
        if (byClientAndAction.isEmpty()) {
            out.println("requests:   none");
        } else {
            out.println("requests:");
            for (Map.Entry<String, Long> e : byClientAndAction.entrySet()) {
                out.println(String.format("  %-40s %d", e.getKey(), e.getValue()));
                total += e.getValue();
            }
        }
        out.println("401 after upgrade: " + nonZero(agent.getUnauthorizedCounts()));
        String[] sites = agent.getCallSites();
        out.println("v1 call sites: " + sites.length);
        for (String site : sites) {
            out.println("  " + site);
        }
        out.println("(requests and call sites above: since the agent started)");
        out.println("phase:      " + mode + " since " + agent.getPhaseStartedAt() + "; tokenless requests reaching IMDS"
                + " since then: " + agent.getV1RequestsReachingImds());
        String last = agent.getLastV1ReachingImds();
        if (last != null) {
            out.println("last v1:    reached IMDS " + last);
        }
        return verdict(agent.getReadiness(), agent.getVerdict());
    }

    /** The agent's own verdict (README.md, "Readiness"), and its exit code. */
    private int verdict(String readiness, String sentence) {
        int colon = sentence.indexOf(':');
        out.println("verdict:    " + sentence.substring(0, colon + 1).toUpperCase(Locale.ROOT) + sentence.substring(colon + 1));
        if ("READY".equals(readiness)) {
            return ExitCodes.OK;
        }
        if ("NOT_READY".equals(readiness)) {
            return ExitCodes.V1_REACHES_IMDS;
        }
        return "WAITING".equals(readiness) ? ExitCodes.NOT_YET : ExitCodes.NO_AGENT;
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
