package dev.imdsv2.agent;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.imdsv2.agent.clients.ClientInstrumentation;
import dev.imdsv2.agent.clients.ThirdPartyClients;
import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.KnownClient;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.jdkhttpclient.JdkHttpClientInstrumentation;
import dev.imdsv2.agent.jmx.AgentMBeanImpl;
import dev.imdsv2.agent.jmx.Published;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.metrics.ApplicationRegistries;
import dev.imdsv2.agent.metrics.PrometheusEndpoint;
import dev.imdsv2.agent.metrics.TextfileExporter;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.report.AgentState;
import dev.imdsv2.agent.report.CallSiteReport;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.ReportFile;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.socket.SocketInstrumentation;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;
import dev.imdsv2.agent.urlconnection.UrlConnectionInstrumentation;

/**
 * The running agent: one per JVM, holding the configuration, the token manager, the decision path and
 * the counters that every client instrumentation shares.
 */
public final class AgentRuntime implements AgentState {
    /** How long after the first IMDS request the MBean and the meters in the application's registries appear. */
    private static final long PUBLISH_DELAY_MILLIS = 1000;

    private static AgentRuntime current;

    private final TokenManager tokens;
    private final DecisionPath decisions;
    private final RequestCounters counters;
    private final CallSites callSites;
    private final Readiness readiness;
    private final TokenFetchStats tokenFetches;
    /** Null when {@code imdsv2.metrics.application-registry=false}. */
    private final ApplicationRegistries applicationRegistries;
    private volatile AgentConfig config;
    /** Guarded by the class lock, like {@link #current}: each starts once, on start or on a re-attach that sets its key. */
    private boolean prometheusStarted;
    private boolean reportFileStarted;
    private boolean textfileStarted;
    /** The Prometheus endpoint's URL once bound (its real port when 0 asked for any), else null. */
    private volatile String metricsUrl;
    /** The socket-level catch-all, when enabled: it follows every reconfiguration. */
    private volatile SocketInstrumentation socket;

    private AgentRuntime(AgentConfig config) {
        this.config = config;
        this.readiness = new Readiness(config.mode().configName(), config.readyAfterSeconds() * 1000L,
                System.currentTimeMillis());
        this.counters = new RequestCounters(readiness);
        this.callSites = new CallSites(readiness);
        this.tokenFetches = new TokenFetchStats();
        this.tokens = new TokenManager(config, tokenFetches);
        this.applicationRegistries = config.applicationRegistry() ? new ApplicationRegistries(this) : null;
        this.decisions = new DecisionPath(config, tokens, counters, callSites, new Runnable() {
            @Override
            public void run() {
                onFirstImdsRequest();
            }
        });
    }

    /**
     * The MBean costs the platform MBean server, ~300 ms and ~20 MB in a small JVM, so it is not set up at
     * start: it appears a second after the first IMDS request (on a thread of its own), on a re-attach, or at
     * start when the JVM has JMX switched on anyway. The meters join the application's own Micrometer at the
     * same moment, for the same reason. The second keeps that work out of the start-up of a short program, whose
     * first request is usually part of it: set up at once, it cost the one-request program of the benchmark
     * ~20 ms of its wall time on 2 cores. The counts lose nothing meanwhile; {@code status} waits for the MBean.
     */
    private void onFirstImdsRequest() {
        System.setProperty(Published.FIRST_IMDS_REQUEST_PROPERTY, Long.toString(System.currentTimeMillis()));
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    Thread.sleep(PUBLISH_DELAY_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                registerMBean();
                if (applicationRegistries != null) {
                    applicationRegistries.imdsCalled();
                }
            }
        }, "imdsv2-agent-publish");
        thread.setDaemon(true);
        thread.start();
    }

    private void registerMBean() {
        try {
            AgentMBeanImpl.register(this);
        } catch (Throwable t) {
            AgentLog.internalFailure("JMX registration", t);
        }
    }

    /** Public because on Java 8 {@link AgentMain} is the system loader's and this class the bootstrap loader's. */
    public static synchronized void start(String arguments, Instrumentation instrumentation) throws Exception {
        if (current != null) {
            current.reconfigure(arguments);
            return;
        }
        AgentConfig config = ConfigLoader.load(arguments);
        AgentLog.setLevel(config.logLevel());
        AgentLog.setFormat(config.logFormat());
        AgentLog.setMode(config.mode().configName());
        for (String problem : config.problems()) {
            AgentLog.warn("config_problem").log("configuration: {}", problem);
        }
        AgentRuntime runtime = new AgentRuntime(config);
        List<String> clients = runtime.instrument(instrumentation);
        current = runtime;
        runtime.publish();
        runtime.startMetricsAndReport();
        if (System.getProperty("com.sun.management.jmxremote") != null
                || System.getProperty("com.sun.management.jmxremote.port") != null) {
            runtime.registerMBean(); // the JVM pays for JMX anyway
        }
        AgentLog.info("start").with("version", version()).with("endpoints", config.endpoints())
                .with("clients", clients.isEmpty() ? "none" : String.join(",", clients))
                .with("metrics", runtime.metricsUrl == null ? "-" : runtime.metricsUrl)
                .log("imdsv2-agent {} started: mode={}, endpoints={}, clients={}{}", version(),
                config.mode().configName(), config.endpoints(), clients.isEmpty() ? "none" : String.join(",", clients),
                runtime.metricsUrl == null ? "" : ", metrics=" + runtime.metricsUrl);
    }

    private List<String> instrument(final Instrumentation instrumentation) throws Exception {
        AgentTransformer transformer = new AgentTransformer();
        List<String> clients = new ArrayList<String>();
        final UrlConnectionInstrumentation urlConnection = config.instrumentationEnabled(UrlConnectionInstrumentation.CLIENT)
                ? new UrlConnectionInstrumentation(instrumentation, decisions) : null;
        if (urlConnection != null) {
            transformer.add(urlConnection);
            clients.add(UrlConnectionInstrumentation.CLIENT);
        }
        final JdkHttpClientInstrumentation jdkHttpClient = config.instrumentationEnabled(JdkHttpClientInstrumentation.CLIENT)
                && JdkHttpClientInstrumentation.supportedByThisJvm()
                ? new JdkHttpClientInstrumentation(instrumentation, decisions) : null;
        if (jdkHttpClient != null) {
            transformer.add(jdkHttpClient);
            clients.add(JdkHttpClientInstrumentation.CLIENT);
        }
        List<ClientInstrumentation> thirdParty = new ArrayList<ClientInstrumentation>();
        for (KnownClient known : KnownClient.values()) {
            if (known.instrumentation != null && config.instrumentationEnabled(known.tag)) {
                thirdParty.add((ClientInstrumentation) Class.forName(known.instrumentation).newInstance());
            }
        }
        final ThirdPartyClients thirdPartyClients = thirdParty.isEmpty() ? null
                : new ThirdPartyClients(thirdParty, decisions, instrumentation);
        if (thirdPartyClients != null) {
            transformer.delegate(thirdPartyClients.targetClasses(), thirdPartyClients);
            clients.addAll(ThirdPartyClients.tags(thirdParty));
        }
        // Last: the catch-all leaves alone what the client instrumentations above cover.
        final SocketInstrumentation socketCatchAll = config.instrumentationEnabled(SocketInstrumentation.CONFIG_NAME)
                ? new SocketInstrumentation(instrumentation, decisions, new ArrayList<String>(clients)) : null;
        if (socketCatchAll != null) {
            for (ClassPatch patch : socketCatchAll.patches()) {
                transformer.add(patch);
            }
            clients.add(SocketInstrumentation.CONFIG_NAME);
            socket = socketCatchAll;
        }
        if (applicationRegistries != null) {
            transformer.add(applicationRegistries.sighting());
        }
        // Classes loaded before the agent (attach at run time, or another agent's premain) are handled now.
        Class<?>[] loaded = transformer.register(instrumentation, new AgentTransformer.Retransformation() {
            @Override
            public void retransform(Class<?>[] loadedTargets) throws Exception {
                if (urlConnection != null) {
                    urlConnection.retransformIfLoaded(loadedTargets);
                }
                if (jdkHttpClient != null) {
                    jdkHttpClient.retransformIfLoaded(loadedTargets);
                }
                if (thirdPartyClients != null) {
                    thirdPartyClients.retransformIfLoaded(instrumentation, loadedTargets);
                }
                if (socketCatchAll != null) {
                    socketCatchAll.retransformIfLoaded(loadedTargets);
                }
            }
        });
        if (applicationRegistries != null) {
            for (Class<?> c : loaded) {
                applicationRegistries.noteIfMicrometer(c);
            }
        }
        return clients;
    }

    private void reconfigure(String arguments) {
        AgentConfig next = ConfigLoader.load(ConfigLoader.mergeArguments(config.agentArguments(), arguments));
        for (String problem : next.problems()) {
            AgentLog.warn("config_problem").log("configuration: {}", problem);
        }
        apply(next);
        registerMBean();
        startMetricsAndReport();
        AgentLog.info("reconfigured").with("version", version()).with("endpoints", next.endpoints())
                .log("imdsv2-agent {} reconfigured: mode={}, endpoints={}", version(),
                next.mode().configName(), next.endpoints());
    }

    /** Whatever part of it fails, what is published (and so what {@code attach} and {@code status} read) is the new configuration. */
    private void apply(AgentConfig next) {
        try {
            AgentLog.setLevel(next.logLevel());
            AgentLog.setFormat(next.logFormat());
            AgentLog.setMode(next.mode().configName());
            config = next;
            readiness.modeSet(next.mode().configName(), next.readyAfterSeconds() * 1000L, System.currentTimeMillis());
            tokens.reconfigure(next);
            decisions.reconfigure(next);
            SocketInstrumentation catchAll = socket;
            if (catchAll != null) {
                catchAll.reconfigure(next);
            }
        } finally {
            publish();
        }
    }

    /**
     * The Prometheus endpoint and the report file, each when its key is set: without them neither Micrometer
     * nor a thread of theirs is ever loaded or started.
     */
    private void startMetricsAndReport() {
        AgentConfig c = config;
        if (c.prometheusPort() != null && !prometheusStarted) {
            prometheusStarted = true;
            String url = PrometheusEndpoint.start(this, c.prometheusHost(), c.prometheusPort());
            if (url != null) {
                metricsUrl = url;
                System.setProperty(Published.METRICS_URL_PROPERTY, url);
            }
        }
        if (c.textfileDir() != null && !textfileStarted) {
            textfileStarted = true;
            TextfileExporter.start(this, c.textfileDir(), c.textfileIntervalSeconds());
        }
        if (c.reportFile() != null && !reportFileStarted) {
            reportFileStarted = true;
            ReportFile.start(c.reportFile(), new Callable<String>() {
                @Override
                public String call() {
                    return callSiteReport();
                }
            });
        }
    }

    @Override
    public String agentVersion() {
        return version();
    }

    /** The call-site report (JSON) of this moment: the report file and JMX show the same document. */
    @Override
    public String callSiteReport() {
        return CallSiteReport.json(version(), counters, callSites, readiness, System.currentTimeMillis());
    }

    @Override
    public Readiness.View readiness() {
        callSites.size(); // reads the sites still queued
        return readiness.view(System.currentTimeMillis());
    }

    @Override
    public Readiness readinessCounts() {
        return readiness;
    }

    @Override
    public void switchMode(Mode mode) {
        setMode(mode);
    }

    /** The run-time mode switch (JMX): effective on the next request, and said in the log as a re-attach is. */
    public static synchronized void setMode(Mode mode) {
        if (current != null) {
            String previous = current.config.mode().configName();
            current.apply(current.config.withMode(mode));
            AgentLog.info("mode_set").with("previous_mode", previous)
                    .log("imdsv2-agent {} mode set over JMX: mode={} (was {})", version(), mode.configName(), previous);
        }
    }

    /** The running agent, or null before {@code premain}/{@code agentmain} (or when it failed to start). */
    public static synchronized AgentRuntime current() {
        return current;
    }

    @Override
    public AgentConfig config() {
        return config;
    }

    public DecisionPath decisions() {
        return decisions;
    }

    @Override
    public TokenManager tokens() {
        return tokens;
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
    public TokenFetchStats tokenFetches() {
        return tokenFetches;
    }

    private void publish() {
        System.setProperty(Published.VERSION_PROPERTY, version());
        System.setProperty(Published.MODE_PROPERTY, config.mode().configName());
        System.setProperty(Published.PHASE_START_PROPERTY, Long.toString(readiness.phaseStartMillis()));
        System.setProperty(Published.READY_AFTER_MILLIS_PROPERTY, Long.toString(config.readyAfterSeconds() * 1000L));
    }

    public static String version() {
        String version = AgentRuntime.class.getPackage() == null ? null : AgentRuntime.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
