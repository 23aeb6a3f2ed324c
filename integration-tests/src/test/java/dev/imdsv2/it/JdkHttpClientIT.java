package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.JdkHttpClientApp;
import dev.imdsv2.simulator.ReceivedRequest;
import dev.imdsv2.simulator.RecordingServer;

/**
 * {@code java.net.http.HttpClient}, {@code send} and {@code sendAsync}, HTTP/1.1 and the default version
 * (HTTP/2, which tries an h2c upgrade on plain http and falls back to HTTP/1.1 against IMDS).
 */
@ChildJavaAtLeast(value = 11, because = "java.net.http.HttpClient")
class JdkHttpClientIT extends SimulatorTest {
    private static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    private RecordingServer other;

    @BeforeEach
    void startOtherServer() {
        other = RecordingServer.start();
    }

    @AfterEach
    void stopOtherServer() {
        other.close();
    }

    private String[] everyWayToGet(String url) {
        return new String[] {"send", "http1", url, "--", "send", "default", url, "--",
                "sendAsync", "http1", url, "--", "sendAsync", "default", url};
    }

    @Test
    void tokenlessGetsSucceedWithTheAgentAndShareOneTokenWithHttpUrlConnection() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("urlconnection", url(INSTANCE_ID_PATH), "--"));
        Collections.addAll(args, everyWayToGet(url(INSTANCE_ID_PATH)));
        Collections.addAll(args, "--", "counts");
        ChildJvm app = ChildJvm.withAgent(agentArgs()).main(JdkHttpClientApp.class, args.toArray(new String[0])).run();

        assertEquals(Collections.nCopies(5, "200 " + INSTANCE_ID), app.results("RESULT"), app.transcript());
        List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
        assertEquals(5, received.size());
        assertTrue(received.stream().allMatch(ReceivedRequest::hasToken), "every request carried a token");
        assertEquals(1, imds.tokenPutCount(), "one token PUT for both clients");
        assertTrue(app.results("COUNT").contains("client=jdk-httpclient,version=v1,action=upgraded,category=other-meta-data 4"),
                app.transcript());
        // sendAsync runs its hops on the client's executor; the call site is still the application's code.
        assertTrue(app.stderr().stream().noneMatch(l -> l.contains("call site unknown")), app.transcript());
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("IMDSv1 call site dev.imdsv2.it.apps.JdkHttpClientApp.get(")
                && l.contains("client=jdk-httpclient")), app.transcript());
    }

    @Test
    void tokenlessGetsGet401WithoutTheAgent() throws Exception {
        ChildJvm app = ChildJvm.withoutAgent().main(JdkHttpClientApp.class, everyWayToGet(url(INSTANCE_ID_PATH))).run();

        List<String> results = app.results("RESULT");
        assertEquals(4, results.size(), app.transcript());
        assertTrue(results.stream().allMatch(r -> r.startsWith("401")), app.transcript());
        assertEquals(0, imds.tokenPutCount());
        assertTrue(imds.metadataRequests().stream().noneMatch(ReceivedRequest::hasToken));
    }

    @Test
    void theTokenNeverLeavesImdsAndNeverFollowsARedirectIntoIt() throws Exception {
        imds.redirect("/latest/meta-data/moved", other.baseUrl() + "/landing", 302);
        other.redirect("/jump", url(INSTANCE_ID_PATH), 302);
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(JdkHttpClientApp.class,
                        "send", "http1", url(INSTANCE_ID_PATH), "--",
                        "send", "default", other.baseUrl() + "/api", "--",
                        "sendAsync", "default", url("/latest/meta-data/moved"), "--",
                        "send", "http1", url("/latest/meta-data/moved"), "--",
                        "sendAsync", "http1", other.baseUrl() + "/jump")
                .run();

        List<String> results = app.results("RESULT");
        assertEquals(List.of("200 " + INSTANCE_ID, "200 ok", "200 ok", "200 ok"), results.subList(0, 4), app.transcript());
        assertTrue(results.get(4).startsWith("401"), "the SSRF path gets no token\n" + app.transcript());
        assertEquals(List.of("/api", "/landing", "/landing", "/jump"), other.received().stream().map(ReceivedRequest::path).toList());
        assertTrue(other.received().stream().noneMatch(ReceivedRequest::hasToken), "another host never gets the token: " + other.received());
        assertTrue(metadataRequestsTo("/latest/meta-data/moved").stream().allMatch(ReceivedRequest::hasToken), "the IMDS hops were upgraded");
        List<ReceivedRequest> atImds = metadataRequestsTo(INSTANCE_ID_PATH);
        assertTrue(atImds.get(0).hasToken());
        assertFalse(atImds.get(1).hasToken(), "the hop redirected into IMDS carried no token");
    }

    @Test
    void forwardedAndProxiedRequestsAreNotUpgradedAndThePutAvoidsTheProxy() throws Exception {
        try (RecordingServer proxy = RecordingServer.startForwardProxy()) {
            ChildJvm app = ChildJvm.withAgent(agentArgs())
                    .main(JdkHttpClientApp.class,
                            "send", "default", url(INSTANCE_ID_PATH), "X-Forwarded-For=203.0.113.9", "--",
                            "proxied", String.valueOf(proxy.port()), url("/latest/meta-data/ami-id"), "--",
                            "sendAsync", "http1", url("/latest/meta-data/hostname"))
                    .run();

            List<String> results = app.results("RESULT");
            assertTrue(results.get(0).startsWith("401"), "X-Forwarded-For is never upgraded\n" + app.transcript());
            assertTrue(results.get(1).startsWith("401"), "a proxied request is never upgraded\n" + app.transcript());
            assertTrue(results.get(2).startsWith("200"), "a plain request is, so a token was to be had\n" + app.transcript());
            assertFalse(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken());
            assertFalse(metadataRequestsTo("/latest/meta-data/ami-id").get(0).hasToken());
            assertEquals(1, imds.tokenPutCount());
            List<ReceivedRequest> viaProxy = proxy.received();
            assertEquals(1, viaProxy.size(), "only the application's proxied GET went through the proxy: " + viaProxy);
            assertEquals("GET", viaProxy.get(0).method());
            assertFalse(viaProxy.get(0).hasToken(), "no token through a proxy");
        }
    }

    @Test
    void a401ToAnUpgradedRequestIsResentOnceWithANewToken() throws Exception {
        try (ChildJvm app = ChildJvm.withAgent(agentArgs()).main(JdkHttpClientApp.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
            imds.expireAllTokens();
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), "the 401 is re-sent, not handed on\n" + app.transcript());
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), app.transcript());
            app.send("exit");
            app.awaitExit();

            assertEquals(2, imds.tokenPutCount(), "the rejected token was dropped and replaced once");
            List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
            assertEquals(List.of(200, 401, 200, 200), received.stream().map(ReceivedRequest::status).toList());
            assertEquals(received.get(0).token(), received.get(1).token());
            assertNotEquals(received.get(1).token(), received.get(2).token(), "re-sent with a new token");
            assertEquals(received.get(2).token(), received.get(3).token());
        }
    }

    @Test
    void a401WithNoNewTokenToBeHadIsResentAsItWasAndSucceedsWhereTokensAreOptional() throws Exception {
        imds.requireTokens(false);
        try (ChildJvm app = ChildJvm.withAgent(agentArgs()).main(JdkHttpClientApp.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
            imds.expireAllTokens();
            imds.tokenPutAnswers(403);
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), "without the agent it would succeed\n" + app.transcript());
            app.send("exit");
            app.awaitExit();

            List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
            assertEquals(List.of(200, 401, 200), received.stream().map(ReceivedRequest::status).toList());
            assertFalse(received.get(2).hasToken(), "re-sent as the application made it");
        }
    }

    @Test
    void theHookShipsOnlyAsARenamedResource() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            assertTrue(jar.getEntry("jdk/internal/net/http/Imdsv2HttpClientHook.class") == null);
            assertTrue(jar.getEntry("META-INF/imdsv2-hooks/jdk/internal/net/http/Imdsv2HttpClientHook.class.bin") != null);
        }
    }
}
