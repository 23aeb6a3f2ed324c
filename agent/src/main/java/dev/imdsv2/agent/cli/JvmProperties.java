package dev.imdsv2.agent.cli;

import java.util.Properties;

import dev.imdsv2.agent.jmx.Published;

/** What one JVM tells through the attach API: its Java version and what the agent publishes as system properties. */
final class JvmProperties {
    final String mainClass;
    /** The feature release; 0 when unknown. */
    final int java;
    /** Null when the agent is not in the JVM. */
    final String agentVersion;
    final String mode;
    final String metricsUrl;
    /** Whether the agent has seen an IMDS request, after which it publishes its MBean. */
    final boolean imdsSeen;
    /** When the agent's readiness phase began (epoch millis), and how long one without requests waits; 0 when unknown. */
    final long phaseStartMillis;
    final long readyAfterMillis;
    /** The JVM's local JMX connector, when asked for and the agent is there; else null. */
    final String jmxAddress;

    JvmProperties(String mainClass, Properties system, String jmxAddress) {
        this.mainClass = mainClass;
        this.java = Jvms.javaFeatureVersion(system);
        this.agentVersion = system.getProperty(Published.VERSION_PROPERTY);
        this.mode = system.getProperty(Published.MODE_PROPERTY);
        this.metricsUrl = system.getProperty(Published.METRICS_URL_PROPERTY);
        this.imdsSeen = system.getProperty(Published.FIRST_IMDS_REQUEST_PROPERTY) != null;
        this.phaseStartMillis = longProperty(system, Published.PHASE_START_PROPERTY);
        this.readyAfterMillis = longProperty(system, Published.READY_AFTER_MILLIS_PROPERTY);
        this.jmxAddress = jmxAddress;
    }

    private static long longProperty(Properties properties, String name) {
        try {
            return Long.parseLong(properties.getProperty(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
