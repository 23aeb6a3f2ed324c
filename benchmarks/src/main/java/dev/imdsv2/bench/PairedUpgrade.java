package dev.imdsv2.bench;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Arrays;
import java.util.Locale;

/**
 * (b), paired: the upgraded v1 request and the application's own v2 request alternated in blocks inside one JVM
 * that runs with the agent. JMH measures each side in forks of its own, and on this machine one fork differs from
 * the next by far more than the 5 % to be shown (JIT, GC, the simulator's state); here both sides share all of
 * that. The order within a pair of blocks alternates, so neither side always goes first.
 *
 * <p>Prints {@code PAIRED <v2 µs/request> <v1 µs/request> <median over block pairs of v1 time / v2 time>}.
 * Usage: {@code PairedUpgrade <IMDS base URL> <block pairs> <requests per block>}.
 */
public final class PairedUpgrade {
    public static void main(String[] args) throws Exception {
        String imds = args[0];
        int blocks = Integer.parseInt(args[1]);
        int perBlock = Integer.parseInt(args[2]);
        URL instanceId = new URL(imds + "/latest/meta-data/instance-id");
        String ownToken = ImdsUpgradeBenchmark.fetchToken(imds);

        for (int i = 0; i < 20 * perBlock; i++) { // warm-up: the JIT, the connection pool, the agent's caches
            get(instanceId, null);
            get(instanceId, ownToken);
        }
        double[] v1 = new double[blocks];
        double[] v2 = new double[blocks];
        double[] ratios = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            if (b % 2 == 0) {
                v1[b] = timeBlock(instanceId, null, perBlock);
                v2[b] = timeBlock(instanceId, ownToken, perBlock);
            } else {
                v2[b] = timeBlock(instanceId, ownToken, perBlock);
                v1[b] = timeBlock(instanceId, null, perBlock);
            }
            ratios[b] = v1[b] / v2[b];
        }
        System.out.println(String.format(Locale.ROOT, "PAIRED %.1f %.1f %.3f", median(v2), median(v1), median(ratios)));
    }

    /** Microseconds per request over {@code requests} GETs, sent as v1 when {@code token} is null. */
    private static double timeBlock(URL url, String token, int requests) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            get(url, token);
        }
        return (System.nanoTime() - start) / 1000.0 / requests;
    }

    private static void get(URL url, String token) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        if (token != null) {
            connection.setRequestProperty("X-aws-ec2-metadata-token", token);
        }
        if (connection.getResponseCode() != 200) {
            throw new IllegalStateException("IMDS answered " + connection.getResponseCode()
                    + (token == null ? ": is the agent attached?" : ""));
        }
        try (InputStream in = connection.getInputStream()) {
            in.readAllBytes();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
