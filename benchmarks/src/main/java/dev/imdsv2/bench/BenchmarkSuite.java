package dev.imdsv2.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import dev.imdsv2.simulator.ImdsSimulator;

/**
 * Runs the JMH benchmarks as ratios in one run: each measured in a fork without the agent and in a fork
 * with it, side by side, against an IMDS simulator this process starts on loopback. Prints one Markdown table.
 *
 * <p>Usage: {@code BenchmarkSuite <agent jar> [quick]}.
 */
public final class BenchmarkSuite {
    private static final String V1_UPGRADED = "v1UpgradedByAgent";
    private static final String V2_OWN = "v2SentByApplication";
    private final String agentJar;
    private final boolean quick;
    private final String imds;

    private BenchmarkSuite(String agentJar, boolean quick, String imds) {
        this.agentJar = agentJar;
        this.quick = quick;
        this.imds = imds;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get(args[0]).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no agent jar at " + jar);
        }
        boolean quick = args.length > 1 && args[1].equals("quick");
        try (ImdsSimulator simulator = ImdsSimulator.start(true)) {
            new BenchmarkSuite(jar.toString(), quick, simulator.baseUrl()).run();
        }
    }

    private void run() throws Exception {
        StringBuilder table = new StringBuilder();
        table.append("| benchmark | no agent | with agent | ratio |\n|---|---|---|---|\n");

        Map<String, Double> plain = scores(NonImdsRequestBenchmark.class, false, false);
        Map<String, Double> agent = scores(NonImdsRequestBenchmark.class, true, false);
        for (String name : plain.keySet()) {
            row(table, "(a) non-IMDS request, " + name + " (µs/op)", plain.get(name), agent.get(name));
        }

        // JMH runs one benchmark after the other, and the simulator (in this JVM) keeps getting faster for a
        // while: whichever runs second would win. So each runs twice, in both orders, and the means are compared.
        double v1 = 0;
        double v2 = 0;
        for (String first : new String[] {V1_UPGRADED, V2_OWN}) {
            String second = first.equals(V1_UPGRADED) ? V2_OWN : V1_UPGRADED;
            for (String method : new String[] {first, second}) {
                double score = scores(ImdsUpgradeBenchmark.class, method, true, false).get(method);
                if (method.equals(V1_UPGRADED)) {
                    v1 += score / 2;
                } else {
                    v2 += score / 2;
                }
            }
        }
        table.append(String.format(Locale.ROOT, "| (b) IMDS GET: sent as v2 by the application / upgraded from v1 by the agent (µs/op) | %.1f | %.1f | %.3f |%n",
                v2, v1, v1 / v2));

        Map<String, Double> decisions = scores(DecisionPathBenchmark.class, false, true);
        for (Map.Entry<String, Double> e : decisions.entrySet()) {
            table.append(String.format(Locale.ROOT, "| (c) decision path, %s | %.1f | | |%n", e.getKey(), e.getValue()));
        }
        System.out.println();
        System.out.println(table);
    }

    private static void row(StringBuilder table, String name, double without, double with) {
        table.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.3f |%n", name, without, with, with / without));
    }

    /** Benchmark method name → score (and, with the GC profiler, name + " bytes/op" → allocation). */
    private Map<String, Double> scores(Class<?> benchmark, boolean withAgent, boolean gc) throws Exception {
        return scores(benchmark, "", withAgent, gc);
    }

    /** As above, for the benchmark methods of {@code benchmark} whose names start with {@code methodPrefix}. */
    private Map<String, Double> scores(Class<?> benchmark, String methodPrefix, boolean withAgent, boolean gc) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(benchmark.getName() + "\\." + methodPrefix)
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                // nodelay: without it the JDK's HTTP server and client meet Nagle's algorithm and every request waits ~40 ms.
                .jvmArgsAppend("-Dbench.imds=" + imds, "-Xmx512m", "-Dsun.net.httpserver.nodelay=true");
        if (withAgent) {
            options.jvmArgsPrepend("-javaagent:" + agentJar + "=endpoints=" + imds + ",log.level=warn");
        }
        if (gc) {
            options.addProfiler(GCProfiler.class);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            scores.put(method, result.getPrimaryResult().getScore());
            if (gc) {
                Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
                if (alloc != null) {
                    scores.put(method + " (bytes/op)", alloc.getScore());
                }
                scores.put(method + " (ns/op)", scores.remove(method));
            }
        }
        return scores;
    }
}
