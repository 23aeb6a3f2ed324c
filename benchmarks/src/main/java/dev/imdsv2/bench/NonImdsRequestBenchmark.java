package dev.imdsv2.bench;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

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
    private OkHttpClient okHttp;
    private Request okHttpRequest;
    private CloseableHttpClient apache5;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new LoopbackServer();
        url = new URL(server.url("/api/items"));
        uri = url.toURI();
        jdkClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        okHttp = new OkHttpClient();
        okHttpRequest = new Request.Builder().url(url).build();
        apache5 = HttpClients.createDefault();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        apache5.close();
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
    public int okHttp() throws Exception {
        try (Response response = okHttp.newCall(okHttpRequest).execute()) {
            return response.body().bytes().length + response.code();
        }
    }

    @Benchmark
    public int apacheHttpClient5() throws Exception {
        return apache5.execute(new HttpGet(uri), response -> EntityUtils.toByteArray(response.getEntity()).length);
    }

    @Benchmark
    public int jdkHttpClient() throws Exception {
        return jdkClient.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }
}
