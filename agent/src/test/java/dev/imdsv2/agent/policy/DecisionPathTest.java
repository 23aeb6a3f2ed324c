package dev.imdsv2.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import example.app.LegacyCaller;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Category;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;
import dev.imdsv2.simulator.ImdsSimulator;

/**
 * The security model as a table: mode × method × relay header × proxy × redirected from elsewhere × caller and path
 * policy × token to be had, each row one decision, its count and its call site. Against the real simulator on
 * loopback for the token; no child JVM, so the whole table runs in seconds.
 */
class DecisionPathTest {
    /** The application's class that makes the request: the call site, and what {@code upgrade.callers} names. */
    private static final String CALLER = LegacyCaller.class.getName();
    private static final String PATH = "/latest/meta-data/placement/region";

    /** One simulator hands out tokens, another refuses them (an IMDS without tokens). */
    private static ImdsSimulator issuing;
    private static ImdsSimulator refusing;

    @BeforeAll
    static void startSimulators() {
        issuing = ImdsSimulator.start(true);
        refusing = ImdsSimulator.start(true);
        refusing.tokenPutAnswers(404);
    }

    @AfterAll
    static void stopSimulators() {
        issuing.close();
        refusing.close();
    }

    /** A row: what the request is like, what the agent is set to, and what must come of it. */
    record Row(String mode, String method, boolean forwarded, boolean proxied, boolean redirected, String callers,
               String paths, boolean tokenAvailable, Action expected, String reason) {
        @Override
        public String toString() {
            return mode + " " + method + (forwarded ? " forwarded" : "") + (proxied ? " proxied" : "")
                    + (redirected ? " redirected" : "") + " callers=" + callers + " paths=" + paths
                    + (tokenAvailable ? "" : " no-token") + " -> " + expected + (reason == null ? "" : " (" + reason + ")");
        }
    }

    static Stream<Arguments> table() {
        List<Row> rows = new ArrayList<>();
        for (String mode : List.of("observe", "upgrade", "enforce")) {
            Action refused = mode.equals("enforce") ? Action.BLOCKED : Action.PASSED;
            boolean observe = mode.equals("observe");
            for (boolean tokenAvailable : List.of(true, false)) {
                Action allowed = observe ? Action.PASSED : tokenAvailable ? Action.UPGRADED : refused;
                String noToken = observe || tokenAvailable ? null : "no token";
                rows.add(new Row(mode, "GET", false, false, false, "*", "*", tokenAvailable, allowed, noToken));
                rows.add(new Row(mode, "HEAD", false, false, false, "*", "*", tokenAvailable, allowed, noToken));
                rows.add(new Row(mode, "POST", false, false, false, "*", "*", tokenAvailable, observe ? Action.PASSED : refused,
                        observe ? null : "method POST is never upgraded"));
                rows.add(new Row(mode, "GET", true, false, false, "*", "*", tokenAvailable, observe ? Action.PASSED : refused,
                        observe ? null : "X-Forwarded-For"));
                rows.add(new Row(mode, "GET", false, true, false, "*", "*", tokenAvailable, observe ? Action.PASSED : refused,
                        observe ? null : "through a proxy"));
                rows.add(new Row(mode, "GET", false, false, true, "*", "*", tokenAvailable, observe ? Action.PASSED : refused,
                        observe ? null : "redirected to IMDS from another host"));
                rows.add(new Row(mode, "GET", false, false, false, CALLER, "*", tokenAvailable, allowed, noToken));
                rows.add(new Row(mode, "GET", false, false, false, "com.amazonaws.", "*", tokenAvailable,
                        observe ? Action.PASSED : refused, observe ? null : "is not in imdsv2.upgrade.callers"));
                rows.add(new Row(mode, "GET", false, false, false, "*", "/latest/meta-data/placement/", tokenAvailable, allowed, noToken));
                rows.add(new Row(mode, "GET", false, false, false, "*", "/latest/meta-data/iam/", tokenAvailable,
                        observe ? Action.PASSED : refused, observe ? null : "is not in imdsv2.upgrade.paths"));
            }
        }
        return rows.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void eachRowIsOneDecisionCountedOnceWithItsCallSite(Row row) {
        ImdsSimulator imds = row.tokenAvailable() ? issuing : refusing;
        // A patient PUT: a loaded machine must not turn an upgrade into a pass (the timeout is not under test).
        AgentConfig config = ConfigLoader.load("mode=" + row.mode() + ",endpoints=" + imds.baseUrl() + ",upgrade.callers="
                + row.callers() + ",upgrade.paths=" + row.paths() + ",token.retry-after=0,token.timeout=10000", new Properties(), Collections.emptyMap());
        RequestCounters counters = new RequestCounters(new Readiness("upgrade", 0, 0));
        CallSites callSites = new CallSites(new Readiness("upgrade", 0, 0));
        DecisionPath decisions = new DecisionPath(config, new TokenManager(config, new TokenFetchStats()), counters, callSites,
                () -> { });
        Endpoint endpoint = config.endpoints().get(0);

        Decision decision = LegacyCaller.send(decisions, new ImdsRequest("urlconnection", endpoint, row.method(), PATH, false,
                row.forwarded(), row.proxied(), row.redirected()));

        assertEquals(row.expected() == Action.UPGRADED, decision.token() != null, "a token exactly when upgraded");
        if (decision.token() != null) {
            assertTrue(imds.issuedTokens().contains(decision.token()), "the token IMDS issued");
        }
        assertEquals(row.expected() == Action.BLOCKED, decision.isBlocked());
        if (decision.isBlocked()) {
            String message = decision.failure().getMessage();
            assertTrue(message.startsWith("imdsv2-agent (mode=enforce) blocked a tokenless IMDS request " + row.method() + " " + PATH
                    + " from " + CALLER + "."), message);
            assertTrue(message.contains(row.reason()), message);
        } else {
            assertNull(decision.failure());
        }
        Map<RequestCounters.Key, Long> counted = counters.requests();
        assertEquals(1, counted.size(), counted.toString());
        RequestCounters.Key key = counted.keySet().iterator().next();
        assertEquals(List.of("urlconnection", "v1", row.expected(), Category.PLACEMENT),
                List.of(key.client, key.version, key.action, key.category), "counted once, as v1 " + row.expected());
        assertEquals(1L, counted.get(key));
        List<CallSites.Site> sites = callSites.snapshot();
        assertEquals(1, sites.size(), sites.toString());
        assertTrue(sites.get(0).site.startsWith(CALLER + "."), sites.get(0).site);
        assertEquals(Map.of(row.expected(), 1L), sites.get(0).counts);
    }
}
