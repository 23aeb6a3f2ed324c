package dev.imdsv2.simulator;

import static dev.imdsv2.simulator.Http.TOKEN;
import static dev.imdsv2.simulator.Http.TTL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImdsSimulatorTest {
    private final Http http = new Http();
    private ImdsSimulator imds;

    @BeforeEach
    void start() {
        imds = ImdsSimulator.start();
    }

    @AfterEach
    void stop() {
        imds.close();
    }

    private String url(String path) {
        return imds.baseUrl() + path;
    }

    // --- token PUT -------------------------------------------------------------------------------

    @Test
    void tokenPutReturnsFreshTokenAndEchoesTtl() {
        HttpResponse<String> first = http.send("PUT", url("/latest/api/token"), TTL, "300");
        HttpResponse<String> second = http.send("PUT", url("/latest/api/token"), TTL, "21600");

        assertEquals(200, first.statusCode());
        assertEquals("300", first.headers().firstValue(TTL).orElse(null));
        assertEquals("21600", second.headers().firstValue(TTL).orElse(null));
        assertTrue(first.body().matches("[A-Za-z0-9_-]{40,}"), first.body());
        assertFalse(first.body().equals(second.body()), "tokens must be fresh");
        assertEquals(List.of(first.body(), second.body()), List.copyOf(imds.issuedTokens()));
        assertEquals(2, imds.tokenPutCount());
        assertTrue(imds.baseUrl().matches("http://127\\.0\\.0\\.1:" + imds.port()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "0", "-5", "21601", "1.5", "99999999999"})
    void badTtlIs400(String ttl) {
        HttpResponse<String> response = ttl.isEmpty()
                ? http.send("PUT", url("/latest/api/token"))
                : http.send("PUT", url("/latest/api/token"), TTL, ttl);
        assertEquals(400, response.statusCode());
        assertTrue(imds.issuedTokens().isEmpty());
        assertEquals(1, imds.tokenPutCount());
    }

    @Test
    void tokenPutThroughProxyIs403() {
        HttpResponse<String> response =
                http.send("PUT", url("/latest/api/token"), TTL, "60", "X-Forwarded-For", "10.0.0.1");
        assertEquals(403, response.statusCode());
        assertTrue(imds.issuedTokens().isEmpty());
    }

    @Test
    void versionedTokenPathIs403() {
        assertEquals(403, http.send("PUT", url("/2021-03-23/api/token"), TTL, "60").statusCode());
        assertEquals(403, http.send("PUT", url("/2019-10-01/api/token"), TTL, "60").statusCode());
        assertEquals(2, imds.tokenPutCount());
        assertTrue(imds.metadataRequests().isEmpty());
    }

    @Test
    void tokenLifetimeCapShortensTokensAndSaysSo() {
        imds.tokenLifetimeCap(5);
        HttpResponse<String> response = http.send("PUT", url("/latest/api/token"), TTL, "21600");
        assertEquals("5", response.headers().firstValue(TTL).orElse(null));
        assertThrows(IllegalArgumentException.class, () -> imds.tokenLifetimeCap(0));
    }

    // --- token modes ----------------------------------------------------------------------------

    @Test
    void optionalModeServesRequestsWithAndWithoutToken() {
        HttpResponse<String> v1 = http.get(url("/latest/meta-data/instance-id"));
        HttpResponse<String> v2 = http.get(url("/latest/meta-data/instance-id"), TOKEN, http.token(imds, 60));
        assertEquals(200, v1.statusCode());
        assertEquals("i-0b22a22eec53b9321", v1.body());
        assertEquals(200, v2.statusCode());
        assertEquals("i-0b22a22eec53b9321", v2.body());
    }

    @Test
    void requiredModeRejectsTokenlessRequestsAndIsSwitchable() {
        imds.requireTokens(true);
        HttpResponse<String> v1 = http.get(url("/latest/meta-data/instance-id"));
        assertEquals(401, v1.statusCode());
        assertTrue(v1.body().isEmpty());
        String token = http.token(imds, 60);
        assertEquals(200, http.get(url("/latest/meta-data/instance-id"), TOKEN, token).statusCode());

        imds.requireTokens(false);
        assertEquals(200, http.get(url("/latest/meta-data/instance-id")).statusCode());
    }

    @Test
    void startedRequiredRejectsTokenlessRequests() {
        try (ImdsSimulator required = ImdsSimulator.start(true)) {
            assertEquals(401, http.get(required.baseUrl() + "/latest/meta-data/").statusCode());
        }
    }

    @Test
    void unknownTokenIs401EvenWhenOptional() {
        assertEquals(401, http.get(url("/latest/meta-data/instance-id"), TOKEN, "not-a-token").statusCode());
    }

    @Test
    void tokenExpiresAfterItsTtl() throws InterruptedException {
        String token = http.token(imds, 1);
        assertEquals(200, http.get(url("/latest/meta-data/instance-id"), TOKEN, token).statusCode());
        Thread.sleep(1_100);
        assertEquals(401, http.get(url("/latest/meta-data/instance-id"), TOKEN, token).statusCode());
    }

    @Test
    void expireAllTokensInvalidatesIssuedTokensOnly() {
        String old = http.token(imds, 21600);
        imds.expireAllTokens();
        assertEquals(401, http.get(url("/latest/meta-data/instance-id"), TOKEN, old).statusCode());
        String fresh = http.token(imds, 21600);
        assertEquals(200, http.get(url("/latest/meta-data/instance-id"), TOKEN, fresh).statusCode());
    }

    // --- faults ---------------------------------------------------------------------------------

    @Test
    void neverAnsweredTokenPutTimesOutButIsCounted() throws IOException {
        imds.tokenPutNeverAnswered();
        HttpURLConnection put = (HttpURLConnection) new URL(url("/latest/api/token")).openConnection();
        put.setRequestMethod("PUT");
        put.setRequestProperty(TTL, "60");
        put.setConnectTimeout(2_000);
        put.setReadTimeout(500);
        assertThrows(SocketTimeoutException.class, put::getResponseCode);
        put.disconnect();

        assertEquals(1, imds.tokenPutCount());
        assertEquals(-1, imds.received().get(0).status());
        assertTrue(imds.issuedTokens().isEmpty());
        // Only token PUTs hang; metadata is still served.
        assertEquals(200, http.get(url("/latest/meta-data/instance-id")).statusCode());

        imds.resetFaults();
        assertEquals(200, http.send("PUT", url("/latest/api/token"), TTL, "60").statusCode());
        assertEquals(2, imds.tokenPutCount());
        assertEquals(-1, imds.received().get(0).status(), "the released PUT was dropped, not answered");
        assertEquals(200, imds.received().get(2).status());
    }

    @Test
    void closeIsPromptAndLeavesNoThreadsWhileATokenPutHangs() throws Exception {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        ImdsSimulator hanging = ImdsSimulator.start();
        hanging.tokenPutNeverAnswered();
        // A raw socket, not HttpURLConnection: that one sends a PUT the server dropped once more, and the second
        // attempt can meet a connector that is still closing and hang in its read.
        Thread client = new Thread(() -> {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", hanging.port())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(("PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1\r\n" + TTL
                        + ": 60\r\nContent-Length: 0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                while (socket.getInputStream().read() >= 0) {
                    // nothing is answered; the read ends when the simulator closes the connection
                }
            } catch (IOException expected) {
                // the connection is dropped when the simulator closes
            }
        });
        client.start();
        while (hanging.tokenPutCount() == 0) {
            Thread.sleep(10);
        }

        assertTimeoutPreemptively(Duration.ofSeconds(3), hanging::close);
        client.join(5_000);
        assertFalse(client.isAlive(), "the hung client should have been cut off by close()");

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> leaked;
        do {
            leaked = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName)
                    .collect(java.util.stream.Collectors.toList());
            if (!leaked.isEmpty()) {
                Thread.sleep(50);
            }
        } while (!leaked.isEmpty() && System.nanoTime() < deadline);
        assertEquals(List.of(), leaked, "threads left after close()");
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 404, 405, 500, 503})
    void tokenPutAnswersWithStatus(int status) {
        imds.tokenPutAnswers(status);
        assertEquals(status, http.send("PUT", url("/latest/api/token"), TTL, "60").statusCode());
        assertEquals(status, imds.received().get(0).status());
        assertTrue(imds.issuedTokens().isEmpty());
        // metadata itself is unaffected
        assertEquals(200, http.get(url("/latest/meta-data/instance-id")).statusCode());
    }

    @Test
    void slowResponsesDelayPutAndGet() {
        imds.slowResponses(Duration.ofMillis(400));
        long start = System.nanoTime();
        String token = http.token(imds, 60);
        long put = System.nanoTime();
        assertEquals(200, http.get(url("/latest/meta-data/instance-id"), TOKEN, token).statusCode());
        long get = System.nanoTime();
        assertTrue(put - start >= 400_000_000L, "PUT took " + (put - start) / 1_000_000 + " ms");
        assertTrue(get - put >= 400_000_000L, "GET took " + (get - put) / 1_000_000 + " ms");

        imds.resetFaults();
        long fastStart = System.nanoTime();
        http.get(url("/latest/meta-data/instance-id"));
        assertTrue(System.nanoTime() - fastStart < 400_000_000L, "still slow after resetFaults()");
    }

    @Test
    void tokenPutsAnsweredAtTheSameTimeAreCounted() throws Exception {
        http.token(imds, 60);
        http.token(imds, 60);
        assertEquals(1, imds.maxConcurrentTokenPuts(), "one after the other");

        imds.slowResponses(Duration.ofMillis(300));
        Thread other = new Thread(() -> http.token(imds, 60));
        other.start();
        http.token(imds, 60);
        other.join();
        assertEquals(2, imds.maxConcurrentTokenPuts(), "two at once");
        assertEquals(4, imds.tokenPutCount());

        imds.resetJournal();
        assertEquals(0, imds.tokenPutCount());
        assertEquals(0, imds.maxConcurrentTokenPuts());
    }

    @Test
    void redirectAnswersLocationAfterTheTokenCheck() {
        imds.redirect("/latest/meta-data/instance-id", "http://127.0.0.1:9/elsewhere", 302);
        HttpResponse<String> response = http.get(url("/latest/meta-data/instance-id"));
        assertEquals(302, response.statusCode());
        assertEquals("http://127.0.0.1:9/elsewhere", response.headers().firstValue("Location").orElse(null));
        // the token check still comes first
        assertEquals(401, http.get(url("/latest/meta-data/instance-id"), TOKEN, "bogus").statusCode());

        imds.resetFaults();
        assertEquals(200, http.get(url("/latest/meta-data/instance-id")).statusCode());
    }

    // --- journal --------------------------------------------------------------------------------

    @Test
    void journalRecordsRequestsWithTokenPresenceAndStatus() {
        String token = http.token(imds, 60);
        http.get(url("/latest/meta-data/ami-id?x=1"));
        http.get(url("/latest/meta-data/placement/region"), TOKEN, token);

        List<ReceivedRequest> all = imds.received();
        assertEquals(3, all.size());
        assertEquals("PUT", all.get(0).method());
        assertEquals("60", all.get(0).header("x-aws-ec2-metadata-token-ttl-seconds"));
        assertEquals(200, all.get(0).status());

        ReceivedRequest v1 = all.get(1);
        assertEquals("/latest/meta-data/ami-id", v1.path());
        assertFalse(v1.hasToken());
        assertEquals(null, v1.token());

        ReceivedRequest v2 = all.get(2);
        assertTrue(v2.hasToken());
        assertEquals(token, v2.token());
        assertEquals(token, v2.headers().get("X-AWS-EC2-METADATA-TOKEN").get(0));
        assertEquals("127.0.0.1:" + imds.port(), v2.header("host"));

        assertEquals(List.of(v1.path(), v2.path()),
                imds.metadataRequests().stream().map(ReceivedRequest::path).collect(java.util.stream.Collectors.toList()));

        imds.resetJournal();
        assertTrue(imds.received().isEmpty());
        assertEquals(0, imds.tokenPutCount());
        assertEquals(1, imds.issuedTokens().size(), "resetJournal() keeps the tokens");
    }

    // --- metadata -------------------------------------------------------------------------------

    @Test
    void servesRealisticMetadata() {
        assertEquals("us-east-1", http.get(url("/latest/meta-data/placement/region")).body());
        assertEquals("us-east-1a", http.get(url("/latest/meta-data/placement/availability-zone")).body());
        assertEquals("imds-demo-role", http.get(url("/latest/meta-data/iam/security-credentials/")).body());
        assertTrue(http.get(url("/latest/meta-data/")).body().lines().anyMatch("iam/"::equals));
        assertTrue(http.get(url("/latest/meta-data/iam/info")).body().contains("\"InstanceProfileArn\""));
        assertTrue(http.get(url("/latest/user-data")).body().startsWith("#!/bin/bash"));
        assertEquals("i-0b22a22eec53b9321", http.get(url("/2021-03-23/meta-data/instance-id")).body());
        assertTrue(http.get(url("/")).body().lines().anyMatch("latest"::equals));

        String document = http.get(url("/latest/dynamic/instance-identity/document")).body();
        for (String field : List.of("accountId", "architecture", "availabilityZone", "imageId", "instanceId",
                "instanceType", "pendingTime", "privateIp")) {
            assertTrue(document.contains("\"" + field + "\" : \""), field);
        }
        assertTrue(document.contains("\"region\" : \"us-east-1\""));
        assertTrue(document.contains("\"version\" : \"2017-09-30\""));
    }

    @Test
    void credentialsLookLikeRealImds() {
        HttpResponse<String> response =
                http.get(url("/latest/meta-data/iam/security-credentials/imds-demo-role"));
        assertEquals(200, response.statusCode());
        String json = response.body();
        assertTrue(json.contains("\"Code\" : \"Success\""));
        assertTrue(json.contains("\"Type\" : \"AWS-HMAC\""));
        assertTrue(json.matches("(?s).*\"AccessKeyId\" : \"ASIA[A-Z0-9]{16}\".*"));
        assertTrue(json.contains("\"SecretAccessKey\" : \""));
        assertTrue(json.contains("\"Token\" : \""));
        assertTrue(json.contains("\"LastUpdated\" : \""));
        Matcher expiration = Pattern.compile("\"Expiration\" : \"([^\"]+)\"").matcher(json);
        assertTrue(expiration.find());
        Duration left = Duration.between(Instant.now(), Instant.parse(expiration.group(1)));
        assertTrue(left.compareTo(Duration.ofHours(5)) > 0 && left.compareTo(Duration.ofHours(7)) < 0, left.toString());
        assertEquals("text/plain", response.headers().firstValue("Content-Type").orElse(null));
        assertFalse(response.headers().firstValue("Matched-Stub-Id").isPresent(), "WireMock header leaked");
    }

    @Test
    void unknownPathIs404OtherMethodsAre405HeadWorks() {
        assertEquals(404, http.get(url("/latest/meta-data/no-such-thing")).statusCode());
        assertEquals(404, http.get(url("/not-a-version/meta-data/")).statusCode());
        assertEquals(405, http.send("POST", url("/latest/meta-data/instance-id")).statusCode());
        assertEquals(405, http.send("PUT", url("/latest/meta-data/instance-id")).statusCode());
        HttpResponse<String> head = http.send("HEAD", url("/latest/meta-data/instance-id"));
        assertEquals(200, head.statusCode());
        assertEquals("i-0b22a22eec53b9321".length(), head.headers().firstValueAsLong("Content-Length").orElse(-1));
        assertTrue(head.body().isEmpty());
        assertEquals(5, imds.metadataRequests().size());
        assertEquals(0, imds.tokenPutCount(), "a PUT on a metadata path is not a token PUT");
    }
}
