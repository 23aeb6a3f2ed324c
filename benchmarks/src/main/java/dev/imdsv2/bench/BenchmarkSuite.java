package dev.imdsv2.bench;

import java.net.URL;
import java.nio.charset.StandardCharsets;
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
 * Runs the JMH benchmarks as ratios in one run: each measured in forks without the agent and forks with it,
 * alternated, against an IMDS simulator this process starts on loopback. Prints one Markdown table.
 *
 * <p>Usage: {@code BenchmarkSuite <agent jar> [quick]}.
 */
public final class BenchmarkSuite {
    private static final String[] NON_IMDS_CLIENTS = {
        "urlConnection", "okHttp", "apacheHttpClient5", "jdkHttpClient", "socket", "socketChannel"};
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

        // Each pair is measured A, B, B, A (one fork each) and the means compared: a machine that drifts (warms
        // up, throttles) in the meantime then favours neither side.
        for (String method : NON_IMDS_CLIENTS) {
            double[] pair = abba(NonImdsRequestBenchmark.class, method, false, method, true);
            row(table, "(a) non-IMDS request, " + method + " (µs/op)", pair[0], pair[1]);
        }

        // The simulator runs in this JVM and gets much faster over its first thousands of requests: warm it up
        // first, or whichever side runs first would pay for it.
        warmUp(imds, quick ? 2_000 : 20_000);
        double[] upgrade = abba(ImdsUpgradeBenchmark.class, V2_OWN, true, V1_UPGRADED, true);
        table.append(String.format(Locale.ROOT, "| (b) IMDS GET: sent as v2 by the application / upgraded from v1 by the agent (µs/op) | %.1f | %.1f | %.3f |%n",
                upgrade[0], upgrade[1], upgrade[1] / upgrade[0]));
        int quads = quick ? 10 : 60;
        double[] paired = paired(quads, 200);
        table.append(String.format(Locale.ROOT, "| (b) the same, both sides alternated in one JVM with the agent (µs/request; ratio: median of %d quads v1, v2, v2, v1) | %.1f | %.1f | %.3f |%n",
                quads, paired[0], paired[1], paired[2]));

        Map<String, Double> decisions = scores(DecisionPathBenchmark.class, false, true);
        for (Map.Entry<String, Double> e : decisions.entrySet()) {
            table.append(String.format(Locale.ROOT, "| (c) decision path, %s | %.1f | | |%n", e.getKey(), e.getValue()));
        }
        System.out.println();
        System.out.println(table);
    }

    /** Scores of {@code a} and {@code b}, each the mean of two runs, run in the order a, b, b, a. */
    private double[] abba(Class<?> benchmark, String a, boolean aWithAgent, String b, boolean bWithAgent) throws Exception {
        double first = scores(benchmark, a, aWithAgent, false).get(a);
        double second = scores(benchmark, b, bWithAgent, false).get(b);
        second += scores(benchmark, b, bWithAgent, false).get(b);
        first += scores(benchmark, a, aWithAgent, false).get(a);
        return new double[] {first / 2, second / 2};
    }

    /** {@link PairedUpgrade} in a JVM of its own with the agent: v2 µs, v1 µs, median ratio. */
    private double[] paired(int quads, int perBlock) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Paths.get(PairedUpgrade.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process process = new ProcessBuilder(java, "-javaagent:" + agentJar + "=endpoints=" + imds + ",log.level=warn",
                "-Xmx512m", "-cp", classes, PairedUpgrade.class.getName(), imds, String.valueOf(quads),
                String.valueOf(perBlock)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains("PAIRED ")) {
            throw new IllegalStateException("PairedUpgrade failed:\n" + output);
        }
        String[] fields = output.substring(output.indexOf("PAIRED ")).trim().split("\\s+");
        return new double[] {Double.parseDouble(fields[1]), Double.parseDouble(fields[2]), Double.parseDouble(fields[3])};
    }

    /** Sends the simulator {@code requests} GETs (with a token: it requires them), so it is warm before it is measured. */
    private static void warmUp(String imds, int requests) throws Exception {
        String token = ImdsUpgradeBenchmark.fetchToken(imds);
        URL instanceId = new URL(imds + "/latest/meta-data/instance-id");
        for (int i = 0; i < requests; i++) {
            ImdsUpgradeBenchmark.get(instanceId, token);
        }
    }

    private static void row(StringBuilder table, String name, double without, double with) {
        table.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.3f |%n", name, without, with, with / without));
    }

    /** Benchmark method name → score (and, with the GC profiler, name + " bytes/op" → allocation). */
    private Map<String, Double> scores(Class<?> benchmark, boolean withAgent, boolean gc) throws Exception {
        return scores(benchmark, "", withAgent, gc);
    }

    /** As above, for one benchmark method of {@code benchmark}, or all of them when {@code method} is empty. */
    private Map<String, Double> scores(Class<?> benchmark, String method, boolean withAgent, boolean gc) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(benchmark.getName() + "\\." + (method.isEmpty() ? "" : method + "$"))
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
            String name = label.substring(label.lastIndexOf('.') + 1);
            scores.put(name, result.getPrimaryResult().getScore());
            if (gc) {
                Result<?> alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
                if (alloc != null) {
                    scores.put(name + " (bytes/op)", alloc.getScore());
                }
                scores.put(name + " (ns/op)", scores.remove(name));
            }
        }
        return scores;
    }
}
