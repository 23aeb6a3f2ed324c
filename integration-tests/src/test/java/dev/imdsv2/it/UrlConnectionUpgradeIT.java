package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.UrlConnectionClient;
import dev.imdsv2.simulator.ReceivedRequest;

/** HttpURLConnection and URL.openStream() against an IMDS that requires tokens. */
class UrlConnectionUpgradeIT extends SimulatorTest {

    @Test
    void tokenlessGetAndOpenStreamSucceedWithTheAgent() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH), "--", "openStream", url(INSTANCE_ID_PATH))
                .run();

        assertEquals(List.of("200 " + INSTANCE_ID, "200 " + INSTANCE_ID), app.results("RESULT"), app.transcript());
        List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
        assertEquals(2, received.size());
        assertTrue(received.stream().allMatch(ReceivedRequest::hasToken), "every request carried a token");
        assertEquals(1, imds.tokenPutCount(), "one token PUT serves both requests");
    }

    /**
     * IMDS answers 401 to an upgraded request (it forgot the token: restarted, expired early). HttpURLConnection
     * re-sends it once, to the same URL, with a new token, and the application only sees the 200 — on Java 8 too,
     * whose HttpURLConnection has the same redirect step the re-send goes through.
     */
    @Test
    void a401ToAnUpgradedRequestIsResentOnceWithANewTokenAndTheApplicationGetsItsAnswer() throws Exception {
        try (ChildJvm app = ChildJvm.withAgent(agentArgs()).main(UrlConnectionClient.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), app.transcript());
            imds.expireAllTokens();
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), "the 401 never reached the application\n" + app.transcript());
            app.send("exit");
            app.awaitExit();
        }

        List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
        assertEquals(List.of(200, 401, 200), received.stream().map(ReceivedRequest::status).toList(), received.toString());
        assertTrue(received.stream().allMatch(ReceivedRequest::hasToken), received.toString());
        assertEquals(received.get(0).token(), received.get(1).token(), "the expired token was sent once");
        assertFalse(received.get(2).token().equals(received.get(1).token()), "the re-send carries a new token");
        assertEquals(2, imds.tokenPutCount(), "one new PUT for the re-send");
    }

    @Test
    void tokenlessGetAndOpenStreamGet401WithoutTheAgent() throws Exception {
        ChildJvm app = ChildJvm.withoutAgent()
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH), "--", "openStream", url(INSTANCE_ID_PATH))
                .run();

        List<String> results = app.results("RESULT");
        assertTrue(results.get(0).startsWith("401"), app.transcript());
        assertTrue(results.get(1).startsWith("ERROR") && results.get(1).contains("401"), app.transcript());
        assertEquals(0, imds.tokenPutCount());
        assertTrue(imds.metadataRequests().stream().noneMatch(ReceivedRequest::hasToken));
    }

    @Test
    void headIsUpgradedButOtherMethodsAreNot() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "head", url(INSTANCE_ID_PATH), "--", "method", "POST", url("/latest/meta-data/ami-id"),
                        "--", "method", "DELETE", url("/latest/meta-data/hostname"))
                .run();

        List<String> results = app.results("RESULT");
        assertTrue(results.get(0).startsWith("200"), app.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken());
        assertFalse(metadataRequestsTo("/latest/meta-data/ami-id").get(0).hasToken(), "POST is never upgraded");
        assertFalse(metadataRequestsTo("/latest/meta-data/hostname").get(0).hasToken(), "DELETE is never upgraded");
    }

    @Test
    void theApplicationsOwnTokenAndTokenPutAreLeftAlone() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "ownToken", imds.baseUrl())
                .run();

        assertEquals(List.of("200 " + INSTANCE_ID), app.results("RESULT"), app.transcript());
        assertEquals(1, imds.tokenPutCount(), "only the application's own PUT; the agent fetched none");
        ReceivedRequest get = metadataRequestsTo(INSTANCE_ID_PATH).get(0);
        assertTrue(imds.issuedTokens().contains(get.token()));
        assertEquals(60, Integer.parseInt(imds.received().get(0).header("X-aws-ec2-metadata-token-ttl-seconds")),
                "the application's PUT went out with its own TTL, untouched");
    }

    @Test
    void aRequestCarryingXForwardedForIsNotUpgraded() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH), "X-Forwarded-For=203.0.113.9")
                .run();

        assertTrue(app.results("RESULT").get(0).startsWith("401"), app.transcript());
        assertFalse(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken());
        assertEquals(0, imds.tokenPutCount(), "a refused request costs no token PUT");
    }
}
