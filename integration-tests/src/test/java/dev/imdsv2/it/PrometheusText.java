package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A Prometheus text-format scrape, fetched over real HTTP and read as samples. */
record PrometheusText(String text) {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample: metric name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** GETs {@code url} until it answers 200 and {@code ready} holds on the body, for at most {@code seconds}. */
    static PrometheusText scrapeWhen(String url, java.util.function.Predicate<String> ready, int seconds) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        String last = "(nothing)";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && ready.test(response.body())) {
                    return new PrometheusText(response.body());
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(100);
        }
        return fail("no ready scrape from " + url + " in " + seconds + " s; last: " + last);
    }

    static PrometheusText scrape(String url) throws Exception {
        return scrapeWhen(url, body -> true, 20);
    }

    List<Sample> samples(String name) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line.trim());
            if (!line.startsWith("#") && m.matches() && m.group(1).equals(name)) {
                Map<String, String> labels = new TreeMap<>();
                Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                samples.add(new Sample(name, labels, Double.parseDouble(m.group(3))));
            }
        }
        return samples;
    }

    /** The samples of {@code name} as {@code k=v,k=v -> value}, labels sorted by name. */
    Map<String, Double> series(String name) {
        return samples(name).stream().collect(Collectors.toMap(
                s -> s.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")),
                Sample::value, (a, b) -> a, TreeMap::new));
    }

    /** The single value of an unlabelled (or single-series) metric. */
    double value(String name) {
        List<Sample> samples = samples(name);
        if (samples.size() != 1) {
            fail("expected one sample of " + name + ", got " + samples + "\n" + text);
        }
        return samples.get(0).value();
    }

    /** Every sample line of a metric whose name starts with {@code prefix}. */
    List<String> sampleLines(String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
