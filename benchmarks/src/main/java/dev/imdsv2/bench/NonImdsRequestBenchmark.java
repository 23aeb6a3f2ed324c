package dev.imdsv2.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>{@code socket} and {@code socketChannel} measure the socket-level catch-all: a new connection per op,
 * one HTTP/1.0 request written and the answer read, so every op runs the patched connect and, for the
 * socket, getOutputStream. The set-up first makes one raw-socket request to IMDS, so the agent has an IMDS
 * socket on record: the dearer case for getOutputStream of the other sockets.
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
    private InetSocketAddress address;
    private byte[] rawRequest;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new LoopbackServer();
        url = new URL(server.url("/api/items"));
        uri = url.toURI();
        jdkClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        okHttp = new OkHttpClient();
        okHttpRequest = new Request.Builder().url(url).build();
        apache5 = HttpClients.createDefault();
        address = new InetSocketAddress("127.0.0.1", url.getPort());
        rawRequest = "GET /api/items HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        URI imds = URI.create(System.getProperty("bench.imds") + "/latest/meta-data/instance-id");
        try (Socket socket = new Socket(imds.getHost(), imds.getPort())) {
            socket.getOutputStream().write(("GET " + imds.getPath() + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        }
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

    @Benchmark
    public int socket() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(address);
            OutputStream out = socket.getOutputStream();
            out.write(rawRequest);
            return socket.getInputStream().readAllBytes().length;
        }
    }

    @Benchmark
    public int socketChannel() throws Exception {
        try (SocketChannel channel = SocketChannel.open(address)) {
            channel.write(ByteBuffer.wrap(rawRequest));
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            int total = 0;
            int n;
            while ((n = channel.read(buffer)) >= 0) {
                total += n;
                buffer.clear();
            }
            return total;
        }
    }
}
