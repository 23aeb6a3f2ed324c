package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.UrlConnectionClient;

/**
 * The token manager seen from outside: sharing, renewal, expiry. IMDS that will not hand out tokens (timeouts,
 * refusals, 5xx, slowness) is {@link FaultMatrixIT}; many threads over many renewals is {@link LoadIT}.
 */
class TokenLifecycleIT extends SimulatorTest {

    @Test
    void sixtyFourThreadsShareOneTokenPut() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "concurrent", url(INSTANCE_ID_PATH), "64", "50")
                .run();

        assertEquals(List.of("3200"), app.results("SUCCESSES"), app.transcript());
        assertEquals(List.of("0"), app.results("FAILURES"), app.transcript());
        assertEquals(1, imds.tokenPutCount(), "concurrent callers wait for the one PUT in flight");
    }

    @Test
    void aShortTtlIsRenewedBeforeExpiryWithoutAPutStorm() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs("token.ttl=2"))
                .main(UrlConnectionClient.class, "spread", url(INSTANCE_ID_PATH), "10", "50")
                .run();

        assertEquals(List.of("0"), app.results("FAILURES"), app.transcript());
        int puts = imds.tokenPutCount();
        // Renewed from half-life on: about one PUT a second over 10 s, never one per request (~150 requests).
        assertTrue(puts >= 5 && puts <= 15, "token PUTs over 10 s with a 2 s TTL: " + puts);
    }

    @Test
    void expiredTokensAreReplacedTransparentlyWithOneNewPut() throws Exception {
        try (ChildJvm app = ChildJvm.withAgent(agentArgs()).main(UrlConnectionClient.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));

            imds.expireAllTokens();
            for (int i = 0; i < 4; i++) {
                app.send("get");
                // The request that meets the expired token gets a 401 from IMDS; the agent drops the token and
                // HttpURLConnection re-sends it once with a fresh one, so the application never sees the 401.
                assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), app.transcript());
            }
            app.send("exit");
            app.awaitExit();

            assertEquals(2, imds.tokenPutCount(), "exactly one new PUT after the expiry, no loop");
            assertEquals(1, imds.metadataRequests().stream().filter(r -> r.status() == 401).count(),
                    "one request met the expired token, and was re-sent");
        }
    }
}
