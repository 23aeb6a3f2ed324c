package dev.imdsv2.bench;

import java.net.URL;
import java.util.Arrays;
import java.util.Locale;

/**
 * (b), paired: the upgraded v1 request and the application's own v2 request alternated in blocks inside one JVM
 * that runs with the agent. JMH measures each side in forks of its own, and on this machine one fork differs from
 * the next by far more than the 5 % to be shown (JIT, GC, the simulator's state); here both sides share all of
 * that. The blocks run in the order v1, v2, v2, v1: each such quad gives one ratio, in which a block that is
 * faster for being second (or first) counts on both sides; the median over the quads is the figure.
 *
 * <p>Prints {@code PAIRED <v2 µs/request> <v1 µs/request> <median over quads of v1 time / v2 time>}, the first two
 * the medians over all blocks. Usage: {@code PairedUpgrade <IMDS base URL> <quads> <requests per block>}.
 */
public final class PairedUpgrade {
    public static void main(String[] args) throws Exception {
        String imds = args[0];
        int quads = Integer.parseInt(args[1]);
        int perBlock = Integer.parseInt(args[2]);
        URL instanceId = new URL(imds + "/latest/meta-data/instance-id");
        String ownToken = ImdsUpgradeBenchmark.fetchToken(imds);

        for (int i = 0; i < 20 * perBlock; i++) { // warm-up: the JIT, the connection pool, the agent's caches
            ImdsUpgradeBenchmark.get(instanceId, null);
            ImdsUpgradeBenchmark.get(instanceId, ownToken);
        }
        double[] v1 = new double[2 * quads];
        double[] v2 = new double[2 * quads];
        double[] ratios = new double[quads];
        for (int q = 0; q < quads; q++) {
            v1[2 * q] = timeBlock(instanceId, null, perBlock);
            v2[2 * q] = timeBlock(instanceId, ownToken, perBlock);
            v2[2 * q + 1] = timeBlock(instanceId, ownToken, perBlock);
            v1[2 * q + 1] = timeBlock(instanceId, null, perBlock);
            ratios[q] = (v1[2 * q] + v1[2 * q + 1]) / (v2[2 * q] + v2[2 * q + 1]);
        }
        System.out.println(String.format(Locale.ROOT, "PAIRED %.1f %.1f %.3f", median(v2), median(v1), median(ratios)));
    }

    /** Microseconds per request over {@code requests} GETs, sent as v1 when {@code token} is null. */
    private static double timeBlock(URL url, String token, int requests) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            ImdsUpgradeBenchmark.get(url, token);
        }
        return (System.nanoTime() - start) / 1000.0 / requests;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
