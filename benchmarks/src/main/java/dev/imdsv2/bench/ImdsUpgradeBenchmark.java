package dev.imdsv2.bench;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * (b) An IMDSv1 request the agent upgrades (token cached) against the same request sent as v2 by the
 * application itself, both to the simulator (started by the suite; its URL in {@code bench.imds}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ImdsUpgradeBenchmark {
    private URL instanceId;
    private String ownToken;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String imds = System.getProperty("bench.imds");
        instanceId = new URL(imds + "/latest/meta-data/instance-id");
        ownToken = fetchToken(imds);
    }

    /** A token of the application's own, from the simulator's token PUT. */
    static String fetchToken(String imds) throws Exception {
        HttpURLConnection put = (HttpURLConnection) new URL(imds + "/latest/api/token").openConnection();
        put.setRequestMethod("PUT");
        put.setRequestProperty("X-aws-ec2-metadata-token-ttl-seconds", "21600");
        try (InputStream in = put.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Benchmark
    public int v1UpgradedByAgent() throws Exception {
        return get(instanceId, null);
    }

    @Benchmark
    public int v2SentByApplication() throws Exception {
        return get(instanceId, ownToken);
    }

    /** One GET of {@code url}, sent as v1 when {@code token} is null; the length of the body IMDS answered 200 with. */
    static int get(URL url, String token) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        if (token != null) {
            connection.setRequestProperty("X-aws-ec2-metadata-token", token);
        }
        if (connection.getResponseCode() != 200) {
            throw new IllegalStateException("IMDS answered " + connection.getResponseCode()
                    + (token == null ? ": is the agent attached?" : ""));
        }
        try (InputStream in = connection.getInputStream()) {
            return in.readAllBytes().length;
        }
    }
}
