package dev.imdsv2.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@code java -jar imds-simulator.jar} with its fault options, run as its own process, as an operator runs it. */
class MainTest {
    private static final String INSTANCE_ID = "/latest/meta-data/instance-id";

    /** The simulator process and the base URL its first line names. */
    private record Running(Process process, String baseUrl, String firstLine) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Process launch(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--port", "0"));
        command.addAll(List.of(options));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Running start(String... options) throws Exception {
        Process process = launch(options);
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("IMDS simulator listening on http://127.0.0.1:"), String.valueOf(line));
        String url = line.substring("IMDS simulator listening on ".length(), line.indexOf(' ', "IMDS simulator listening on ".length()));
        return new Running(process, url, line);
    }

    private static String token(Http http, String baseUrl) {
        return http.send("PUT", baseUrl + "/latest/api/token", Http.TTL, "60").body();
    }

    @Test
    void hopLimitOneLeavesPutsUnansweredWhileGetsAreServed() throws Exception {
        try (Running imds = start("--hop-limit-1")) {
            assertTrue(imds.firstLine().contains("never answered (hop limit 1)"), imds.firstLine());
            HttpURLConnection put = (HttpURLConnection) new URL(imds.baseUrl() + "/latest/api/token").openConnection();
            put.setRequestMethod("PUT");
            put.setRequestProperty(Http.TTL, "60");
            put.setReadTimeout(1000);
            assertThrows(SocketTimeoutException.class, put::getResponseCode);
            assertEquals(200, new Http().send("GET", imds.baseUrl() + INSTANCE_ID).statusCode());
        }
    }

    @Test
    void putStatusDropPutAndRejectEveryTokenPlayTheirFaults() throws Exception {
        Http http = new Http();
        try (Running imds = start("--put-status", "404")) {
            assertEquals(404, http.send("PUT", imds.baseUrl() + "/latest/api/token", Http.TTL, "60").statusCode());
        }
        try (Running imds = start("--drop-put")) {
            assertThrows(UncheckedIOException.class, () -> http.send("PUT", imds.baseUrl() + "/latest/api/token", Http.TTL, "60"));
        }
        try (Running imds = start("--reject-every-token")) {
            String token = token(http, imds.baseUrl());
            assertEquals(401, http.send("GET", imds.baseUrl() + INSTANCE_ID, Http.TOKEN, token).statusCode());
            assertEquals(200, http.send("GET", imds.baseUrl() + INSTANCE_ID).statusCode(), "tokenless is served (optional)");
        }
    }

    @Test
    void slowAndExpiringTokensFollowTheirClocks() throws Exception {
        Http http = new Http();
        // The first expiry comes 3 s after the start: time for the slow PUT and GET on a busy machine (at 1 s they
        // could miss it). Then a wait of one period takes in at least one expiry.
        try (Running imds = start("--slow", "300", "--required", "--expire-tokens-every", "3")) {
            long start = System.nanoTime();
            String token = token(http, imds.baseUrl());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 300, "the answer waited");
            assertEquals(200, http.send("GET", imds.baseUrl() + INSTANCE_ID, Http.TOKEN, token).statusCode());
            Thread.sleep(3000);
            assertEquals(401, http.send("GET", imds.baseUrl() + INSTANCE_ID, Http.TOKEN, token).statusCode(), "expired");
        }
    }

    @Test
    void anUnknownOptionOrBadValueIsAUsageError() throws Exception {
        for (String[] bad : new String[][] {{"--bogus"}, {"--put-status", "abc"}, {"--slow"}, {"--drop-put", "--hop-limit-1"}}) {
            Process process = launch(bad);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, process.exitValue(), output);
            assertTrue(output.startsWith("imds-simulator: ") && output.contains("usage:"), output);
        }
    }
}
