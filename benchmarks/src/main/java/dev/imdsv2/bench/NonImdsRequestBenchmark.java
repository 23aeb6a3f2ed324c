package dev.imdsv2.bench;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * (a) What the agent costs traffic that is not IMDS: one request to a loopback server per op, through each
 * client. The suite runs it in a fork without the agent and a fork with it, and reports the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NonImdsRequestBenchmark {
    private LoopbackServer server;
    private URL url;
    private URI uri;
    private HttpClient jdkClient;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new LoopbackServer();
        url = new URL(server.url("/api/items"));
        uri = url.toURI();
        jdkClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @TearDown(Level.Trial)
    public void stop() {
        server.close();
    }

    @Benchmark
    public int urlConnection() throws Exception {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        try (InputStream in = connection.getInputStream()) {
            return in.readAllBytes().length + connection.getResponseCode();
        }
    }

    @Benchmark
    public int jdkHttpClient() throws Exception {
        return jdkClient.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }
}
