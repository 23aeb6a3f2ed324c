package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A legacy-style application that calls IMDS the v1 way with {@code java.net.http.HttpClient} (compiled for
 * Java 11, the other apps for 8: they reach it only on 11+, by reflection ({@code Jvm.callJdkHttpClientApp})). Commands
 * are separated by {@code --}; each request prints {@code RESULT <status> <body>} (or {@code RESULT ERROR ...}).
 * <ul>
 *   <li>{@code send|sendAsync http1|default URL [Header=value...]}: a GET, following redirects (NORMAL)</li>
 *   <li>{@code proxied PROXY_PORT URL}: a GET through an HTTP proxy on 127.0.0.1 ({@code ProxySelector.of})</li>
 *   <li>{@code urlconnection URL}: a GET with HttpURLConnection, for a JVM that mixes both clients</li>
 *   <li>{@code interactive URL}: prints {@code READY}, then one {@code send} of URL per "get" line on stdin, until "exit"</li>
 *   <li>{@code counts}: the agent's request counts, read from its MBean, as {@code COUNT key value} lines</li>
 * </ul>
 */
public final class JdkHttpClientApp {

    public static void main(String[] args) throws Exception {
        Commands.runEach(args, JdkHttpClientApp::run);
    }

    private static void run(List<String> c) throws Exception {
        switch (c.get(0)) {
            case "send": case "sendAsync": {
                HttpClient client = HttpClient.newBuilder()
                        .version(c.get(1).equals("http1") ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                result(get(client, c.get(0).equals("sendAsync"), c.get(2), c.subList(3, c.size())));
                break;
            }
            case "proxied": {
                HttpClient client = HttpClient.newBuilder()
                        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(c.get(1)))))
                        .build();
                result(get(client, false, c.get(2), List.of()));
                break;
            }
            case "urlconnection":
                result(UrlConnectionClient.request("GET", c.get(1), null, List.of()));
                break;
            case "interactive": {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                System.out.println("READY");
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("exit")) {
                    result(get(client, false, c.get(1), List.of()));
                }
                break;
            }
            case "counts":
                AgentCounts.print();
                break;
            default:
                throw new IllegalArgumentException("unknown command " + c);
        }
    }

    /** {@code url -> "status body"} through one default client (HTTP/2, falling back to 1.1), for an app that also runs on Java 8. */
    static UnaryOperator<String> defaultClient() {
        HttpClient client = HttpClient.newHttpClient();
        return url -> get(client, false, url, List.of());
    }

    /** The same through one HTTP/1.1 client whose workers are a fixed set of threads, so thread counts stay comparable. */
    static UnaryOperator<String> http1ClientWithWorkers(int workers, ThreadFactory threads) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(workers, threads))
                .build();
        return url -> get(client, false, url, List.of());
    }

    static String get(HttpClient client, boolean async, String url, List<String> headers) {
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
            for (String header : headers) {
                int eq = header.indexOf('=');
                builder.header(header.substring(0, eq), header.substring(eq + 1));
            }
            HttpRequest request = builder.build();
            HttpResponse<String> response = async
                    ? client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(20, TimeUnit.SECONDS)
                    : client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body().replace('\n', ' ').trim();
        } catch (Exception e) {
            return "ERROR " + e;
        }
    }

    private static void result(String text) {
        System.out.println("RESULT " + text);
        System.out.flush();
    }
}
