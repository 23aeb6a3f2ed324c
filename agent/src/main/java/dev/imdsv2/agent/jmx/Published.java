package dev.imdsv2.agent.jmx;

/**
 * What a running agent publishes for the CLI ({@code list}, {@code attach}, {@code status}), which reads it from
 * another JVM: the MBean {@link AgentMXBean#OBJECT_NAME}, and these system properties (outside {@code imdsv2.},
 * which is configuration).
 */
public final class Published {
    public static final String VERSION_PROPERTY = "dev.imdsv2.agent.version";
    public static final String MODE_PROPERTY = "dev.imdsv2.agent.mode";
    /** Set when the Prometheus endpoint is bound: its URL, for {@code list} and {@code status}. */
    public static final String METRICS_URL_PROPERTY = "dev.imdsv2.agent.metrics.url";
    /** When the readiness phase began (epoch millis), and how long one without requests waits: {@code status} without the MBean. */
    public static final String PHASE_START_PROPERTY = "dev.imdsv2.agent.phase.start";
    public static final String READY_AFTER_MILLIS_PROPERTY = "dev.imdsv2.agent.ready.after.millis";
    /** Set with the first IMDS request, so that {@code status} knows the MBean is on its way. */
    public static final String FIRST_IMDS_REQUEST_PROPERTY = "dev.imdsv2.agent.first.imds.request";

    private Published() {
    }
}
