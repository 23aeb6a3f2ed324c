package dev.imdsv2.agent.metrics;

import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.report.AgentState;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.FetchOutcome;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/**
 * Binds the meters of README.md ("Metrics and reports") to one Micrometer registry, reading the agent's own counters
 * live (function counters, gauges, a function timer: nothing is counted twice). It drives the registry through
 * reflection on that registry's own Micrometer API, so the same code serves the agent's relocated copy and
 * whatever Micrometer the application brings, from 1.0.0 on (every builder used here exists unchanged since
 * then), without linking the agent against the application's classes.
 *
 * <p>Tags are the bounded ones README.md lists: no path and no class name ever becomes a tag.
 */
final class MeterBinder implements RequestCounters.SeriesListener {
    static final String REQUESTS = "imdsv2.requests";
    static final String UNAUTHORIZED = "imdsv2.unauthorized";
    static final String TOKEN_FETCH = "imdsv2.token.fetch";
    static final String TOKEN_EXPIRY = "imdsv2.token.expiry";
    static final String CALL_SITES = "imdsv2.call.sites";
    static final String READY = "imdsv2.ready";
    static final String V1_REACHING_IMDS = "imdsv2.v1.reaching.imds";
    static final String PHASE_START = "imdsv2.phase.start";
    static final String AGENT_INFO = "imdsv2.agent.info";
    static final String MODE = "imdsv2.mode";
    static final String INTERNAL_FAILURES = "imdsv2.internal.failures";

    private final Object registry;
    private final String registryName;
    private final Class<?> registryType;
    private final Method functionCounter;
    private final Method gauge;
    private final Method timeGauge;
    private final Method functionTimer;

    /**
     * @param registry   a {@code MeterRegistry} of the Micrometer whose API lives in {@code apiPackage}
     * @param apiPackage that Micrometer's {@code io.micrometer.core.instrument} package, as its class loader names it
     */
    MeterBinder(Object registry, String registryName, String apiPackage) throws ReflectiveOperationException {
        ClassLoader loader = registry.getClass().getClassLoader();
        this.registry = registry;
        this.registryName = registryName;
        this.registryType = Class.forName(apiPackage + ".MeterRegistry", false, loader);
        this.functionCounter = Class.forName(apiPackage + ".FunctionCounter", false, loader)
                .getMethod("builder", String.class, Object.class, ToDoubleFunction.class);
        this.gauge = Class.forName(apiPackage + ".Gauge", false, loader)
                .getMethod("builder", String.class, Object.class, ToDoubleFunction.class);
        this.timeGauge = Class.forName(apiPackage + ".TimeGauge", false, loader)
                .getMethod("builder", String.class, Object.class, TimeUnit.class, ToDoubleFunction.class);
        this.functionTimer = Class.forName(apiPackage + ".FunctionTimer", false, loader)
                .getMethod("builder", String.class, Object.class, ToLongFunction.class, ToDoubleFunction.class, TimeUnit.class);
    }

    /** Registers every meter, and from now on each new request/401 series as it appears. */
    void bind(AgentState runtime) throws ReflectiveOperationException {
        TokenFetchStats fetches = runtime.tokenFetches();
        for (final FetchOutcome outcome : FetchOutcome.values()) {
            register(functionTimer, new Object[] {TOKEN_FETCH, fetches,
                    new ToLongFunction<TokenFetchStats>() {
                        @Override
                        public long applyAsLong(TokenFetchStats stats) {
                            return stats.count(outcome);
                        }
                    },
                    new ToDoubleFunction<TokenFetchStats>() {
                        @Override
                        public double applyAsDouble(TokenFetchStats stats) {
                            return stats.totalNanos(outcome);
                        }
                    },
                    TimeUnit.NANOSECONDS},
                    "The agent's token PUTs to IMDS, by outcome", "outcome", outcome.tag());
        }
        register(timeGauge, new Object[] {TOKEN_EXPIRY, runtime.tokens(), TimeUnit.SECONDS,
                new ToDoubleFunction<TokenManager>() {
                    @Override
                    public double applyAsDouble(TokenManager tokens) {
                        return tokens.secondsToExpiry();
                    }
                }},
                "Time until the cached IMDSv2 token expires (0 when there is none)");
        register(gauge, new Object[] {CALL_SITES, runtime.callSites(),
                new ToDoubleFunction<CallSites>() {
                    @Override
                    public double applyAsDouble(CallSites sites) {
                        return sites.size();
                    }
                }},
                "Distinct IMDSv1 call sites seen (site, client, category)");
        bindReadiness(runtime.readinessCounts(), runtime.agentVersion());
        register(functionCounter, new Object[] {INTERNAL_FAILURES, AgentLog.class,
                new ToDoubleFunction<Class<?>>() {
                    @Override
                    public double applyAsDouble(Class<?> log) {
                        return AgentLog.internalFailures();
                    }
                }},
                "Failures inside the agent; each let its request go out as the application made it");
        runtime.counters().addListener(this);
    }

    /**
     * The verdict as gauges, which a rate over a window cannot lose (README.md, "Readiness"): each exists from the
     * moment the meters are bound, so a JVM that reports nothing is never read as ready. The mode is a set of
     * {@code imdsv2.mode} series, one per mode, 1 on the current one: a tag that changed value would leave the old
     * series behind in some registries, and an {@code _info} series is 1 by convention.
     */
    private void bindReadiness(Readiness readiness, String agentVersion) throws ReflectiveOperationException {
        register(gauge, new Object[] {READY, readiness,
                new ToDoubleFunction<Readiness>() {
                    @Override
                    public double applyAsDouble(Readiness r) {
                        return r.state(System.currentTimeMillis()) == Readiness.State.READY ? 1 : 0;
                    }
                }},
                "1 when no tokenless request has reached IMDS in the current phase and the phase has a verdict; else 0");
        register(gauge, new Object[] {V1_REACHING_IMDS, readiness,
                new ToDoubleFunction<Readiness>() {
                    @Override
                    public double applyAsDouble(Readiness r) {
                        return r.v1ReachingImds();
                    }
                }},
                "Tokenless requests that reached IMDS in the current phase (since start or the last mode change)");
        register(timeGauge, new Object[] {PHASE_START, readiness, TimeUnit.MILLISECONDS,
                new ToDoubleFunction<Readiness>() {
                    @Override
                    public double applyAsDouble(Readiness r) {
                        return r.phaseStartMillis();
                    }
                }},
                "When the current phase began (Unix time)");
        register(gauge, new Object[] {AGENT_INFO, readiness,
                new ToDoubleFunction<Readiness>() {
                    @Override
                    public double applyAsDouble(Readiness r) {
                        return 1;
                    }
                }},
                "The agent's version", "version", agentVersion);
        for (final Mode mode : Mode.values()) {
            register(gauge, new Object[] {MODE, readiness,
                    new ToDoubleFunction<Readiness>() {
                        @Override
                        public double applyAsDouble(Readiness r) {
                            return r.mode().equals(mode.configName()) ? 1 : 0;
                        }
                    }},
                    "The agent's mode: 1 on the current mode's series, 0 on the others", "mode", mode.configName());
        }
    }

    @Override
    public void requestSeries(RequestCounters.Key key, AtomicLong count) {
        try {
            register(functionCounter, new Object[] {REQUESTS, count, ATOMIC_LONG_VALUE},
                    "IMDS requests, by the version the application sent and what the agent did",
                    "client", key.client, "version", key.version, "action", key.action.tag(),
                    "category", key.category.tag());
        } catch (Throwable t) {
            AgentLog.internalFailure("binding " + REQUESTS + " to " + registryName, t);
        }
    }

    @Override
    public void unauthorizedSeries(String client, AtomicLong count) {
        try {
            register(functionCounter, new Object[] {UNAUTHORIZED, count, ATOMIC_LONG_VALUE},
                    "401s IMDS gave to requests the agent upgraded", "client", client);
        } catch (Throwable t) {
            AgentLog.internalFailure("binding " + UNAUTHORIZED + " to " + registryName, t);
        }
    }

    private static final ToDoubleFunction<AtomicLong> ATOMIC_LONG_VALUE = new ToDoubleFunction<AtomicLong>() {
        @Override
        public double applyAsDouble(AtomicLong value) {
            return value.get();
        }
    };

    /**
     * {@code Builder.builder(args).tags(tags).description(..).register(registry)}; idempotent. No base unit on the
     * counters: Prometheus would append it to the name ({@code imdsv2_unauthorized_requests_total}).
     */
    private void register(Method builderFactory, Object[] args, String description, String... tags)
            throws ReflectiveOperationException {
        Object builder = builderFactory.invoke(null, args);
        Class<?> builderType = builderFactory.getReturnType();
        builderType.getMethod("tags", String[].class).invoke(builder, (Object) tags);
        builderType.getMethod("description", String.class).invoke(builder, description);
        builderType.getMethod("register", registryType).invoke(builder, registry);
    }
}
