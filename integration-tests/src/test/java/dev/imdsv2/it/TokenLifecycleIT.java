package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.UrlConnectionClient;

/** The token manager seen from outside: sharing, renewal, expiry, and IMDS that will not hand out tokens. */
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

    @Test
    void aTokenPutThatIsNeverAnsweredCostsOneTimeoutThenNothing() throws Exception {
        imds.requireTokens(false);
        imds.tokenPutNeverAnswered();
        ChildJvm app = ChildJvm.withAgent(agentArgs("token.timeout=500", "token.retry-after=30"))
                .main(UrlConnectionClient.class, "timed", url(INSTANCE_ID_PATH), "5")
                .run();

        List<String> timed = app.results("TIMED");
        assertEquals(5, timed.size(), app.transcript());
        for (int i = 0; i < timed.size(); i++) {
            String[] parts = timed.get(i).split(" ", 3);
            assertEquals("200", parts[1], "with tokens optional the v1 request succeeds\n" + app.transcript());
            long millis = Long.parseLong(parts[0]);
            long bound = i == 0 ? 500 + 1000 : 400; // the first waits for the PUT timeout; the rest do not wait at all
            assertTrue(millis <= bound, "request " + i + " took " + millis + " ms\n" + app.transcript());
        }
        assertEquals(1, imds.tokenPutCount(), "no new PUT inside token.retry-after");
        assertTrue(imds.metadataRequests().stream().noneMatch(r -> r.hasToken()));
    }

    @ParameterizedTest(name = "token PUT answered {0}")
    @ValueSource(ints = {403, 404, 405, 500, 503})
    void aRefusedTokenPutLetsRequestsThroughAsV1(int status) throws Exception {
        imds.requireTokens(false);
        imds.tokenPutAnswers(status);
        ChildJvm app = ChildJvm.withAgent(agentArgs("token.retry-after=30"))
                .main(UrlConnectionClient.class, "timed", url(INSTANCE_ID_PATH), "5")
                .run();

        List<String> timed = app.results("TIMED");
        assertEquals(5, timed.size(), app.transcript());
        assertTrue(timed.stream().allMatch(t -> t.split(" ", 3)[1].equals("200")), app.transcript());
        assertEquals(1, imds.tokenPutCount(), "one failed PUT, then none inside token.retry-after");
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("token PUT to") && l.contains("failed")), app.transcript());
    }
}
