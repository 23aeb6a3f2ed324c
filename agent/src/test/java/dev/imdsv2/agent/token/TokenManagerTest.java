package dev.imdsv2.agent.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.simulator.ImdsSimulator;

/** The token manager against the real simulator on loopback. */
class TokenManagerTest {
    private final ImdsSimulator imds = ImdsSimulator.start(true);
    private final TokenFetchStats stats = new TokenFetchStats();

    @AfterEach
    void stop() {
        imds.close();
    }

    private TokenManager manager(String extraArgs) {
        AgentConfig config = ConfigLoader.load("endpoints=" + imds.baseUrl() + (extraArgs.isEmpty() ? "" : "," + extraArgs),
                new Properties(), Map.of());
        return new TokenManager(config, stats);
    }

    private Endpoint endpoint() {
        return Endpoint.parse(imds.baseUrl());
    }

    @Test
    void concurrentCallersShareOnePut() throws Exception {
        TokenManager tokens = manager("");
        imds.slowResponses(java.time.Duration.ofMillis(200));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return tokens.token(endpoint()).token;
            }));
        }
        go.countDown();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        for (Future<String> f : results) {
            seen.add(f.get());
        }
        pool.shutdown();
        assertEquals(1, imds.tokenPutCount());
        assertEquals(1, seen.size());
        assertTrue(imds.issuedTokens().containsAll(seen));
        assertEquals(1, stats.count(FetchOutcome.SUCCESS));
    }

    @Test
    void aRejectedTokenIsDroppedAndReplacedOnce() {
        TokenManager tokens = manager("");
        String first = tokens.token(endpoint()).token;
        tokens.rejected(endpoint(), "some-older-token");
        assertEquals(first, tokens.token(endpoint()).token, "a 401 for another token changes nothing");
        tokens.rejected(endpoint(), first);
        String second = tokens.token(endpoint()).token;
        assertNotEquals(first, second);
        assertEquals(2, imds.tokenPutCount());
    }

    @Test
    void aTokenIsNeverUsedInTheLastQuarterOfItsLife() throws Exception {
        TokenManager tokens = manager("token.ttl=1");
        String first = tokens.token(endpoint()).token;
        Thread.sleep(800); // past three quarters of a one-second life
        String later = tokens.token(endpoint()).token;
        assertNotEquals(first, later);
        assertEquals(2, imds.tokenPutCount());
    }

    @Test
    void aFailedPutIsNotRetriedInsideRetryAfter() {
        imds.tokenPutAnswers(405);
        TokenManager tokens = manager("token.retry-after=30");
        TokenManager.Lease lease = tokens.token(endpoint());
        assertNull(lease.token);
        assertTrue(lease.unavailableReason.contains("http_405"), lease.unavailableReason);
        for (int i = 0; i < 10; i++) {
            assertNull(tokens.token(endpoint()).token);
        }
        assertEquals(1, imds.tokenPutCount());
        assertEquals(1, stats.count(FetchOutcome.HTTP_405));
    }

    @Test
    void aPutIsRetriedOnceRetryAfterHasPassed() throws Exception {
        imds.tokenPutAnswers(503);
        TokenManager tokens = manager("token.retry-after=1");
        assertNull(tokens.token(endpoint()).token);
        imds.resetFaults();
        Thread.sleep(1100);
        assertNotNull(tokens.token(endpoint()).token);
        assertEquals(2, imds.tokenPutCount());
    }

    @Test
    void outcomesNameWhatWentWrong() {
        imds.tokenPutNeverAnswered();
        TokenManager tokens = manager("token.timeout=300");
        long start = System.nanoTime();
        assertNull(tokens.token(endpoint()).token);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 2000, "bounded by the timeout");
        assertEquals(1, stats.count(FetchOutcome.TIMEOUT));

        TokenManager refused = new TokenManager(ConfigLoader.load("endpoints=http://127.0.0.1:1", new Properties(), Map.of()), stats);
        assertNull(refused.token(Endpoint.parse("http://127.0.0.1:1")).token);
        assertEquals(1, stats.count(FetchOutcome.REFUSED));
    }

    @Test
    void aTokenRejectedAtItsFirstUseTripsTheBreakerForRetryAfter() {
        TokenManager tokens = manager("token.retry-after=30");
        String first = tokens.token(endpoint()).token;
        assertNotNull(first);
        tokens.rejected(endpoint(), first);
        TokenManager.Lease lease = tokens.token(endpoint());
        assertNull(lease.token, "no new PUT while the breaker is open");
        assertTrue(lease.unavailableReason.contains("rejected the token it had just issued"), lease.unavailableReason);
        for (int i = 0; i < 10; i++) {
            assertNull(tokens.token(endpoint()).token);
        }
        assertEquals(1, imds.tokenPutCount());
    }

    @Test
    void aTokenRejectedAfterItHadServedIsSimplyReplaced() {
        TokenManager tokens = manager("token.retry-after=30");
        String first = tokens.token(endpoint()).token;
        assertEquals(first, tokens.token(endpoint()).token);
        tokens.rejected(endpoint(), first); // an IMDS restart: the token had worked
        String second = tokens.token(endpoint()).token;
        assertNotNull(second);
        assertNotEquals(first, second);
        assertEquals(2, imds.tokenPutCount());
    }

    @Test
    void aTokenThatArrivesPastHalfItsLifeIsNotUsedAndNotFetchedAgainInsideRetryAfter() {
        imds.slowResponses(java.time.Duration.ofMillis(600));
        TokenManager tokens = manager("token.ttl=1,token.retry-after=30");
        TokenManager.Lease lease = tokens.token(endpoint());
        assertNull(lease.token);
        assertTrue(lease.unavailableReason.contains("more than half the token's 1 s life"), lease.unavailableReason);
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertNull(tokens.token(endpoint()).token);
        }
        assertTrue((System.nanoTime() - start) / 1_000_000 < 500, "no slow PUT on every call");
        assertEquals(1, imds.tokenPutCount());
        assertEquals(1, stats.count(FetchOutcome.SUCCESS), "the PUT itself succeeded");
    }
}
