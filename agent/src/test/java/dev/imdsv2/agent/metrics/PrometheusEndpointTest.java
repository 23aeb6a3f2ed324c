package dev.imdsv2.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.AssembledAgentState;
import dev.imdsv2.agent.report.Category;

/** The agent's own endpoint on loopback, scraped as Prometheus would: its format, its series, what it refuses. */
class PrometheusEndpointTest {
    @Test
    void servesTheAgentsSeriesInTheTextFormat() throws Exception {
        AssembledAgentState state = new AssembledAgentState("mode=upgrade");
        state.request("com.example.Legacy.read(Legacy.java:12)", "okhttp", "v1", Action.UPGRADED, Category.CREDENTIALS);
        String url = PrometheusEndpoint.start(state, "127.0.0.1", 0);
        assertNotNull(url);
        assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+/metrics"), url);

        HttpURLConnection scrape = openServed(url);
        assertEquals(200, scrape.getResponseCode());
        assertEquals(PrometheusEndpoint.CONTENT_TYPE, scrape.getContentType());
        List<String> lines;
        try (java.io.InputStream in = scrape.getInputStream()) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().collect(Collectors.toList());
        }
        assertTrue(lines.contains("imdsv2_requests_total{action=\"upgraded\",category=\"credentials\",client=\"okhttp\",version=\"v1\"} 1.0"),
                String.join("\n", lines));
        assertTrue(lines.contains("imdsv2_mode{mode=\"upgrade\"} 1.0"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("# HELP imdsv2_ready ")), String.join("\n", lines));

        HttpURLConnection post = (HttpURLConnection) new URL(url).openConnection();
        post.setRequestMethod("POST");
        post.setDoOutput(true);
        post.getOutputStream().close();
        assertEquals(405, post.getResponseCode());
        assertEquals("GET, HEAD", post.getHeaderField("Allow"));
    }

    @Test
    void aPortInUseIsOneWarningAndNoEndpoint() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertNull(PrometheusEndpoint.start(new AssembledAgentState("mode=observe"), "127.0.0.1", taken.getLocalPort()));
        }
    }

    /** The registry is built on the endpoint's own thread: the port answers once it is. */
    private static HttpURLConnection openServed(String url) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
            try {
                if (connection.getResponseCode() != 404) {
                    return connection;
                }
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            if (System.nanoTime() > deadline) {
                return connection;
            }
            Thread.sleep(20);
        }
    }
}
