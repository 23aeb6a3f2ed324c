package dev.imdsv2.bench;

import java.net.URL;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/**
 * (c) The decision path alone, in-process: the check every request pays (is this IMDS?) and a whole
 * decision for a tokenless IMDS GET with the token cached. Run with the GC profiler for bytes per op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecisionPathBenchmark {
    private DecisionPath decisions;
    private URL otherService;
    private Endpoint imds;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String imdsUrl = System.getProperty("bench.imds");
        AgentConfig config = ConfigLoader.load("token.timeout=10000,endpoints=" + imdsUrl + ";http://[fd00:ec2::254]",
                new Properties(), Map.of());
        TokenManager tokens = new TokenManager(config, new TokenFetchStats());
        decisions = new DecisionPath(config, tokens, new RequestCounters(new Readiness("upgrade", 0, 0)), new CallSites(new Readiness("upgrade", 0, 0)), () -> { });
        // Parsed only: never resolved or contacted.
        otherService = new URL("http://orders.service.internal:8080/api/items");
        imds = Endpoint.parse(imdsUrl);
        if (tokens.token(imds).token == null) {
            throw new IllegalStateException("no token from " + imdsUrl);
        }
    }

    @Benchmark
    public Endpoint nonImdsCheck() {
        return decisions.imdsEndpoint(otherService);
    }

    @Benchmark
    public Decision imdsV1Decision() {
        return decisions.decide(new ImdsRequest("urlconnection", imds, "GET", "/latest/meta-data/instance-id",
                false, false, false, false));
    }
}
