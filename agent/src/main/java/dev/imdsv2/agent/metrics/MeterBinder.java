package dev.imdsv2.agent.metrics;

import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import dev.imdsv2.agent.AgentRuntime;
import dev.imdsv2.agent.report.AgentLog;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.report.TokenFetchStats;
import dev.imdsv2.agent.token.FetchOutcome;
import dev.imdsv2.agent.token.TokenManager;

/**
 * Binds the meters of DESIGN.md ("What SREs see") to one Micrometer registry, reading the agent's own counters
 * live (function counters, gauges, a function timer: nothing is counted twice). It drives the registry through
 * reflection on that registry's own Micrometer API, so the same code serves the agent's relocated copy and
 * whatever Micrometer the application brings, from 1.0.0 on (every builder used here exists unchanged since
 * then), without linking the agent against the application's classes.
 *
 * <p>Tags are the bounded ones of DESIGN.md: no path and no class name ever becomes a tag.
 */
final class MeterBinder implements RequestCounters.SeriesListener {
    static final String REQUESTS = "imdsv2.requests";
    static final String UNAUTHORIZED = "imdsv2.unauthorized";
    static final String TOKEN_FETCH = "imdsv2.token.fetch";
    static final String TOKEN_EXPIRY = "imdsv2.token.expiry";
    static final String CALL_SITES = "imdsv2.call.sites";

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
    void bind(AgentRuntime runtime) throws ReflectiveOperationException {
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
        runtime.counters().addListener(this);
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
