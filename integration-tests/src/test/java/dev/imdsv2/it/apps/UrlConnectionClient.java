package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A legacy-style application that calls IMDS the v1 way with {@code HttpURLConnection}. Commands are
 * separated by {@code --}; each prints {@code RESULT <status> <body>} lines (or summary lines) that the
 * tests read.
 */
public final class UrlConnectionClient {

    public static void main(String[] args) throws Exception {
        Commands.runEach(args, UrlConnectionClient::run);
    }

    private static void run(List<String> c) throws Exception {
        if (c.isEmpty()) {
            return;
        }
        String url = c.size() > 1 ? c.get(1) : null;
        switch (c.get(0)) {
            case "get":
                result(request("GET", url, null, c.subList(2, c.size())));
                break;
            case "head":
                result(request("HEAD", url, null, Collections.emptyList()));
                break;
            case "method":
                result(request(c.get(1), c.get(2), null, Collections.emptyList()));
                break;
            case "noProxyGet":
                result(request("GET", url, Proxy.NO_PROXY, Collections.emptyList()));
                break;
            case "openStream": {
                try (InputStream in = new URL(url).openStream()) {
                    result("200 " + new String(Jvm.readAll(in), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    result("ERROR " + e);
                }
                break;
            }
            case "ownToken": {
                HttpURLConnection put = (HttpURLConnection) new URL(url + "/latest/api/token").openConnection();
                put.setRequestMethod("PUT");
                put.setRequestProperty("X-aws-ec2-metadata-token-ttl-seconds", "60");
                String token = read(put);
                result(request("GET", url + "/latest/meta-data/instance-id", null,
                        Collections.singletonList("X-aws-ec2-metadata-token=" + token.substring(token.indexOf(' ') + 1))));
                break;
            }
            case "concurrent":
                concurrent(url, Integer.parseInt(c.get(2)), Integer.parseInt(c.get(3)));
                break;
            case "spread":
                spread(url, Integer.parseInt(c.get(2)), Integer.parseInt(c.get(3)));
                break;
            case "timed": {
                for (int i = 0; i < Integer.parseInt(c.get(2)); i++) {
                    long start = System.nanoTime();
                    String r = request("GET", url, null, Collections.emptyList());
                    System.out.println("TIMED " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " " + r);
                }
                break;
            }
            case "interactive": {
                // Waits for the test to say "get" (do one request) or "exit", so it can change the simulator in between.
                System.out.println("READY");
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("exit")) {
                    result(request("GET", url, null, Collections.emptyList()));
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + c);
        }
    }

    private static void result(String text) {
        System.out.println("RESULT " + text);
        System.out.flush();
    }

    /** "status body", or "ERROR exception" when the request could not be made at all. */
    static String request(String method, String url, Proxy proxy, List<String> headers) {
        try {
            HttpURLConnection connection = (HttpURLConnection) (proxy == null ? new URL(url).openConnection()
                    : new URL(url).openConnection(proxy));
            connection.setRequestMethod(method);
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(10000);
            for (String header : headers) {
                int eq = header.indexOf('=');
                connection.setRequestProperty(header.substring(0, eq), header.substring(eq + 1));
            }
            if (method.equals("POST") || method.equals("PUT")) {
                connection.setDoOutput(true);
                connection.getOutputStream().close();
            }
            return read(connection);
        } catch (IOException e) {
            return "ERROR " + e;
        }
    }

    private static String read(HttpURLConnection connection) throws IOException {
        int status = connection.getResponseCode();
        InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        String text = body == null ? "" : new String(Jvm.readAll(body), StandardCharsets.UTF_8);
        return status + " " + text.replace('\n', ' ').trim();
    }

    private static void concurrent(String url, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger successes = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    String r = request("GET", url, null, Collections.emptyList());
                    (r.startsWith("200 ") ? successes : failures).incrementAndGet();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        System.out.println("SUCCESSES " + successes.get());
        System.out.println("FAILURES " + failures.get());
    }

    private static void spread(String url, int seconds, int intervalMillis) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int failures = 0;
        int successes = 0;
        while (System.nanoTime() < end) {
            String r = request("GET", url, null, Collections.emptyList());
            if (r.startsWith("200 ")) {
                successes++;
            } else {
                failures++;
                System.out.println("FAILED " + r);
            }
            Thread.sleep(intervalMillis);
        }
        System.out.println("SUCCESSES " + successes);
        System.out.println("FAILURES " + failures);
    }
}
