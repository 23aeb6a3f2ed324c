package dev.imdsv2.agent.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;
import dev.imdsv2.simulator.ImdsSimulator;

/**
 * What {@link ImdsHops} remembers of an exchange across its hops, as the third-party clients drive it: a retry of an
 * upgraded hop, a new request on a reused exchange, a redirect from another host, a 401 and its re-sends.
 */
class ImdsHopStateTest {
    private static final String CLIENT = "okhttp";
    private static final String PATH = "/latest/meta-data/instance-id";

    private ImdsSimulator imds;
    private RequestCounters counters;
    private Endpoint endpoint;

    @BeforeEach
    void install() {
        imds = ImdsSimulator.start(true);
        AgentConfig config = ConfigLoader.load("endpoints=" + imds.baseUrl() + ",token.retry-after=30", new Properties(),
                Collections.<String, String>emptyMap());
        counters = new RequestCounters(new Readiness("upgrade", 0, 0));
        ImdsHops.install(new DecisionPath(config, new TokenManager(config, new TokenFetchStats()), counters, new CallSites(new Readiness("upgrade", 0, 0)),
                () -> { }));
        endpoint = config.endpoints().get(0);
    }

    @AfterEach
    void stop() {
        imds.close();
    }

    private String hop(Object exchange, boolean firstHop, String tokenOnRequest) throws Exception {
        return ImdsHops.hop(CLIENT, endpoint, exchange).firstHop(firstHop).request("GET", PATH, tokenOnRequest).decide();
    }

    private long upgraded() {
        return counters.total("v1", Action.UPGRADED);
    }

    @Test
    void aRetriedHopThatCarriesTheAgentsTokenIsNotDecidedAgain() throws Exception {
        Object call = new Object();
        String token = hop(call, false, null);
        assertNotNull(token);
        assertNull(hop(call, false, token), "the same hop again (a retry on a fresh connection): left as it is");
        assertEquals(1, upgraded());
        assertEquals(1, imds.tokenPutCount());
    }

    @Test
    void aNewRequestOnAReusedExchangeStartsFresh() throws Exception {
        Object context = new Object();
        ImdsHops.afterHop(CLIENT, context, null, null, 302, "http://example.com/elsewhere");
        assertNull(hop(context, false, null), "a later hop of the redirected exchange");
        assertNotNull(hop(context, true, null), "a new request on the same context forgets the redirect");
    }

    @Test
    void aRedirectFromAnotherHostTaintsTheExchangeAndItsTarget() throws Exception {
        Object call = new Object();
        ImdsHops.afterHop(CLIENT, call, null, null, 302, imds.baseUrl() + PATH);
        assertNull(hop(call, false, null), "the client's own follow-up hop gets no token");
        assertNull(hop(new Object(), false, null), "nor does a new exchange to the target, the hand-followed redirect");
        assertNotNull(ImdsHops.hop(CLIENT, endpoint, new Object()).request("GET", "/latest/meta-data/ami-id", null).decide(),
                "another path of IMDS is not marked");
    }

    @Test
    void a401ToTheAgentsTokenAsksForOneResendWithAFreshTokenCountedOnce() throws Exception {
        Object call = new Object();
        hop(call, false, null);
        String first = hop(new Object(), false, null); // the token serves another request too: not just issued
        assertFalse(ImdsHops.takeResend(call), "nothing rejected yet");
        imds.expireAllTokens();
        ImdsHops.afterHop(CLIENT, call, endpoint, first, 401, null);
        assertTrue(ImdsHops.takeResend(call));
        assertFalse(ImdsHops.takeResend(call), "once per rejection");
        String fresh = hop(call, false, null);
        assertNotNull(fresh);
        assertNotEquals(first, fresh);
        assertEquals(2, upgraded(), "the re-send is the same request: not counted again");
        assertEquals(2, imds.tokenPutCount());
    }

    @Test
    void a401ToATokenTheAgentDidNotAddAsksForNothing() throws Exception {
        Object call = new Object();
        hop(call, false, null);
        ImdsHops.afterHop(CLIENT, call, endpoint, "the-applications-own-token", 401, null);
        assertFalse(ImdsHops.takeResend(call));
        assertEquals(0, counters.unauthorized().size());
    }

    @Test
    void aTokenRejectedAtOnceIsResentOnceMoreAsTheApplicationMadeIt() throws Exception {
        Object call = new Object();
        String token = hop(call, false, null);
        ImdsHops.afterHop(CLIENT, call, endpoint, token, 401, null); // its first use: the breaker trips
        assertTrue(ImdsHops.takeResend(call));
        assertNull(hop(call, false, null), "no fresh token while the breaker is open: tokenless");
        assertEquals(1, counters.total("v1", Action.PASSED), "decided again, as any tokenless request");
        assertEquals(1, imds.tokenPutCount(), "no PUT storm");
        assertFalse(ImdsHops.takeResend(call), "nothing of the agent's was rejected this time");
    }
}
