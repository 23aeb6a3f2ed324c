package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.ApacheHttpClient4App;
import dev.imdsv2.it.apps.ApacheHttpClient5App;
import dev.imdsv2.it.apps.AttachTarget;
import dev.imdsv2.it.apps.HandFollowedRedirectApp;
import dev.imdsv2.it.apps.JdkHttpClientApp;
import dev.imdsv2.it.apps.OkHttpApp;
import dev.imdsv2.it.apps.Trivial;
import dev.imdsv2.it.apps.UrlConnectionClient;
import dev.imdsv2.simulator.ReceivedRequest;
import dev.imdsv2.simulator.RecordingServer;

/**
 * What a hostile or broken IMDS, or a hostile host beside it, does to the agent's promises: a redirect into IMDS
 * never carries a token, however it is followed; an IMDS that rejects every token costs no PUT storm and breaks
 * nothing; a restarted IMDS never shows the application a 401; bad settings never stop the agent or the JVM.
 */
class HostileImdsIT extends SimulatorTest {
    private static final String CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";

    private RecordingServer other;

    @BeforeEach
    void startOtherServer() {
        other = RecordingServer.start();
    }

    @AfterEach
    void stopOtherServer() {
        other.close();
    }

    // (1) A redirect into IMDS, followed by code that makes each hop a new request.

    @ParameterizedTest
    @ValueSource(strings = {"urlconnection", "google"})
    void aRedirectIntoImdsFollowedByHandGetsNoToken(String follower) throws Exception {
        other.redirect("/jump", url(CREDENTIALS_PATH), 302);
        ChildJvm.Spec spec = ChildJvm.withAgent(agentArgs());
        if (follower.equals("google")) {
            spec.libraries("google-http-client");
        }
        ChildJvm app = spec.main(HandFollowedRedirectApp.class,
                follower, url(INSTANCE_ID_PATH), "--", follower, other.baseUrl() + "/jump").run();

        List<String> results = app.results("RESULT");
        assertEquals("200 " + INSTANCE_ID, results.get(0), "a direct request is upgraded: a token was there to leak\n" + app.transcript());
        assertTrue(results.get(1).startsWith("401"), "the SSRF path gets no token, so no credentials\n" + app.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken());
        List<ReceivedRequest> redirected = metadataRequestsTo(CREDENTIALS_PATH);
        assertEquals(1, redirected.size(), imds.received().toString());
        assertFalse(redirected.get(0).hasToken(), "the hop redirected into IMDS arrived without a token");
        assertEquals("/jump", other.received().get(0).path());
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("call site " + HandFollowedRedirectApp.class.getName())),
                "the call site is the application's code, not the client's\n" + app.transcript());
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"apache5-oldest", "apache5-newest"})
    void onceAnExchangeLeftImdsNoLaterHopGetsAToken(String librarySet) throws Exception {
        imds.redirect("/latest/meta-data/away", other.baseUrl() + "/back", 302);
        other.redirect("/back", url(CREDENTIALS_PATH), 302);
        ChildJvm app = ChildJvm.withAgent(agentArgs()).libraries(librarySet)
                .main(ApacheHttpClient5App.class, "sync", url("/latest/meta-data/away")).run();

        assertTrue(app.results("RESULT").get(0).startsWith("401"), app.transcript());
        assertTrue(metadataRequestsTo("/latest/meta-data/away").get(0).hasToken(), "the first hop, to IMDS, was upgraded");
        assertEquals("/back", other.received().get(0).path());
        List<ReceivedRequest> back = metadataRequestsTo(CREDENTIALS_PATH);
        assertEquals(1, back.size(), imds.received().toString());
        assertFalse(back.get(0).hasToken(), "IMDS, another host, then IMDS: the last hop gets no token");
    }

    // (2) An IMDS that issues tokens and then rejects every one of them, while it accepts tokenless requests.

    @ParameterizedTest
    @ValueSource(strings = {"urlconnection", "jdk-httpclient", "okhttp-oldest", "okhttp-newest", "apache4-oldest"})
    void anImdsThatRejectsEveryTokenCostsAtMostOnePutPerRetryAfter(String client) throws Exception {
        assumeTrue(!client.equals("jdk-httpclient") || ChildJvm.javaFeatureVersion() >= 11, "java.net.http.HttpClient needs Java 11+");
        imds.requireTokens(false);
        imds.rejectEveryToken();
        int requests = 10;
        long start = System.nanoTime();
        ChildJvm app = clientApp(client, agentArgs("token.retry-after=2"), requests).run();
        double seconds = (System.nanoTime() - start) / 1e9;

        List<String> results = app.results("RESULT");
        assertEquals(Collections.nCopies(requests, "200 " + INSTANCE_ID), results, "tokenless requests work without the agent,"
                + " so they must with it\n" + app.transcript());
        int allowedPuts = 1 + (int) (seconds / 2);
        assertTrue(imds.tokenPutCount() <= allowedPuts, imds.tokenPutCount() + " PUTs in " + seconds + " s, at most "
                + allowedPuts + " allowed\n" + app.transcript());
        List<String> warnings = app.stderr().stream().filter(l -> l.contains("rejected") || l.contains("answered 401")).toList();
        assertEquals(1, warnings.size(), "logged once\n" + app.transcript());
        if (!client.equals("urlconnection")) {
            assertEquals(List.of(clientTag(client) + " " + imds.tokenPutCount()), app.results("UNAUTHORIZED"),
                    "each rejected token is counted in imdsv2.unauthorized\n" + app.transcript());
        }
    }

    private static String clientTag(String client) {
        return client.startsWith("okhttp") ? "okhttp" : client.startsWith("apache4") ? "apache-httpclient-4" : client;
    }

    // (3) IMDS restarts under a client that sends its requests itself: no 401 reaches the application.

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"okhttp-oldest", "okhttp-3.14", "okhttp-4", "okhttp-newest", "apache4-oldest", "apache4-newest"})
    void aRestartedImdsIsNeverSeenByTheApplication(String librarySet) throws Exception {
        Class<?> main = librarySet.startsWith("okhttp") ? OkHttpApp.class : ApacheHttpClient4App.class;
        String get = "sync " + url(INSTANCE_ID_PATH);
        try (ChildJvm app = ChildJvm.withAgent(agentArgs()).libraries(librarySet)
                .main(main, (get + " -- " + get + " -- pause -- " + get + " -- " + get).split(" ")).start()) {
            app.awaitLine("PAUSED");
            imds.expireAllTokens(); // what IMDS knows after a restart: none of the tokens it issued
            app.send("go");
            assertEquals(0, app.awaitExit(), app.transcript());

            assertEquals(Collections.nCopies(4, "200 " + INSTANCE_ID), app.results("RESULT"), app.transcript());
            List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
            assertEquals(List.of(200, 200, 401, 200, 200), received.stream().map(ReceivedRequest::status).toList(),
                    "the 401 was re-sent once, with a new token\n" + app.transcript());
            assertEquals(2, imds.tokenPutCount());
        }
    }

    // (4) An endpoint whose port is out of range.

    @Test
    void anEndpointWithAPortOutOfRangeIsOneWarningAndTheAgentRuns() throws Exception {
        ChildJvm app = ChildJvm.withAgent("endpoints=http://127.0.0.1:99999").main(Trivial.class).run();

        assertEquals(0, app.exitCode(), app.transcript());
        assertEquals(List.of("done"), app.results("RESULT"));
        assertEquals(1, warnings(app).size(), app.transcript());
        assertTrue(warnings(app).get(0).contains("99999"), app.transcript());
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains(" started: ") && l.contains("169.254.169.254")), app.transcript());
    }

    @Test
    void aBadEndpointAttachedLaterLeavesTheAgentReportingTheModeItHas() throws Exception {
        try (ChildJvm app = ChildJvm.withAgent(agentArgs()).main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = app.awaitLine("READY").split(" ")[1];

            AgentCli bad = AgentCli.run("attach", pid, "endpoints=http://127.0.0.1:99999");
            AgentCli observe = AgentCli.run("attach", pid, "mode=observe");
            AgentCli status = AgentCli.run("status", pid);
            app.send("exit");

            assertEquals(2, bad.exitCode, "the CLI refuses the bad value before it reaches the JVM\n" + bad);
            assertEquals(0, observe.exitCode, observe.toString());
            assertTrue(observe.stdout.contains("mode now observe"), observe.toString());
            assertTrue(status.stdout.contains("mode:       observe"), status.toString());
            assertTrue(status.stdout.contains(imds.baseUrl()), "the endpoint stays the one that was valid\n" + status);
        }
    }

    // (5) A configuration file that is not one.

    @Test
    void aFifoAsTheConfigurationFileIsOneWarningAndNoHang(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("imdsv2.properties");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");

        ChildJvm app = ChildJvm.withAgent("config.file=" + fifo).main(Trivial.class).run();

        assertEquals(List.of("done"), app.results("RESULT"), app.transcript());
        assertEquals(1, warnings(app).size(), app.transcript());
        assertTrue(warnings(app).get(0).contains("not a regular file"), app.transcript());
    }

    @Test
    void anEndlessOrBinaryConfigurationFileIsOneWarningThatEchoesNothing(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("binary.properties");
        byte[] bytes = new byte[4096];
        new java.util.Random(7).nextBytes(bytes);
        String marker = "SECRET-LOOKING-BYTES";
        System.arraycopy(marker.getBytes(StandardCharsets.US_ASCII), 0, bytes, 100, marker.length());
        Files.write(binary, bytes);

        for (String file : List.of("/dev/zero", binary.toString())) {
            long start = System.nanoTime();
            ChildJvm app = ChildJvm.withAgent("config.file=" + file).main(Trivial.class).run();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(List.of("done"), app.results("RESULT"), app.transcript());
            assertEquals(1, warnings(app).size(), file + "\n" + app.transcript());
            assertFalse(app.transcript().contains(marker), "no byte of the file is echoed\n" + app.transcript());
            assertTrue(millis < 8000, file + " took " + millis + " ms");
        }
    }

    // (6) A slow PUT and a short TTL: the token would be past renewal when it arrives.

    @Test
    void aTokenTooShortLivedToUseCostsOnePutPerRetryAfterNotOnePerCall() throws Exception {
        imds.requireTokens(false);
        imds.slowResponses(Duration.ofMillis(800));
        ChildJvm app = ChildJvm.withAgent(agentArgs("token.ttl=1", "token.retry-after=30"))
                .main(UrlConnectionClient.class, "timed", url(INSTANCE_ID_PATH), "5").run();

        List<String> timed = app.results("TIMED");
        assertEquals(5, timed.size(), app.transcript());
        timed.forEach(line -> assertTrue(line.endsWith("200 " + INSTANCE_ID), app.transcript()));
        assertEquals(1, imds.tokenPutCount(), "one slow PUT, then none for retry-after\n" + app.transcript());
        assertEquals(1, warnings(app).stream().filter(l -> l.contains("more than half")).count(), app.transcript());
    }

    private static List<String> warnings(ChildJvm app) {
        return app.agentWarnings();
    }

    /** A JVM that makes {@code requests} GETs to instance-id through one client, one after the other. */
    private ChildJvm.Spec clientApp(String client, String agentArgs, int requests) {
        String get = url(INSTANCE_ID_PATH);
        List<String> args = new ArrayList<>();
        Class<?> main;
        ChildJvm.Spec spec = ChildJvm.withAgent(agentArgs);
        if (client.equals("urlconnection") || client.equals("jdk-httpclient")) {
            main = client.equals("urlconnection") ? UrlConnectionClient.class : JdkHttpClientApp.class;
            for (int i = 0; i < requests; i++) {
                args.addAll(client.equals("urlconnection") ? List.of("get", get, "--") : List.of("send", "http1", get, "--"));
            }
        } else {
            main = client.startsWith("okhttp") ? OkHttpApp.class : ApacheHttpClient4App.class;
            spec.libraries(client);
            for (int i = 0; i < requests; i++) {
                args.addAll(List.of("sync", get, "--"));
            }
        }
        if (!client.equals("urlconnection")) {
            args.add("counts");
        }
        return spec.main(main, args.toArray(new String[0]));
    }
}
