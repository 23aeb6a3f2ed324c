package dev.imdsv2.agent.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/** A redirect into IMDS answered by another host marks its target: the rule behind every hand-followed redirect. */
class RedirectsIntoImdsTest {
    /** Nothing listens there: a request that gets past the refusals finds no token, and says so. */
    private static final String IMDS = "http://127.0.0.1:9";
    private static final String PATH = "/latest/meta-data/iam/security-credentials/";

    private final DecisionPath decisions = decisionPath("mode=enforce,token.timeout=200,endpoints=" + IMDS);
    private final Endpoint imds = decisions.config().endpoints().get(0);

    private static DecisionPath decisionPath(String arguments) {
        AgentConfig config = ConfigLoader.load(arguments, new Properties(), Collections.<String, String>emptyMap());
        return new DecisionPath(config, new TokenManager(config, new TokenFetchStats()), new RequestCounters(new Readiness("upgrade", 0, 0)), new CallSites(new Readiness("upgrade", 0, 0)),
                () -> { });
    }

    private String refusalOf(String path) {
        Decision d = decisions.decide(new ImdsRequest("urlconnection", imds, "GET", path, false, false, false, false));
        assertTrue(d.isBlocked(), "enforce blocks what it cannot upgrade");
        return d.failure().getMessage();
    }

    @Test
    void aRedirectFromAnotherHostMarksItsTargetForAnyLaterRequest() {
        assertFalse(refusalOf(PATH).contains("redirected"), "a direct request is not refused for a redirect");
        decisions.redirectAnswered(null, "http", IMDS + PATH + "?x=1#f");
        assertTrue(refusalOf(PATH).contains("redirected to IMDS from another host"));
        assertTrue(refusalOf(PATH).contains("redirected"), "the mark is not used up by the first request: a retry gets no token either");
        assertFalse(refusalOf("/latest/meta-data/instance-id").contains("redirected"), "another path is not marked");
    }

    @Test
    void everyWayOfWritingTheTargetCounts() {
        decisions.redirectAnswered(null, "http", "HTTP://127.0.0.1:9/upper");
        decisions.redirectAnswered(null, "http", "//127.0.0.1:9/scheme-relative");
        decisions.redirectAnswered(null, "http", "  http://user@127.0.0.1:9/with-user-info");
        for (String path : new String[] {"/upper", "/scheme-relative", "/with-user-info"}) {
            assertTrue(refusalOf(path).contains("redirected"), path);
        }
    }

    @Test
    void onlyARedirectIntoImdsByAnotherHostIsNoted() {
        decisions.redirectAnswered(imds, "http", IMDS + "/from-imds");        // IMDS redirecting within itself
        decisions.redirectAnswered(null, "http", "/relative");                 // stays on the other host
        decisions.redirectAnswered(null, "http", "http://127.0.0.1:10/other"); // another host again
        decisions.redirectAnswered(null, "http", null);
        assertFalse(refusalOf("/from-imds").contains("redirected"));
        assertFalse(refusalOf("/relative").contains("redirected"));
        assertFalse(refusalOf("/other").contains("redirected"));
    }

    @Test
    void aMarkLapsesAfterItsWindowAndASprayMarksTheWholeEndpoint() {
        RedirectsIntoImds marks = new RedirectsIntoImds();
        long now = 1_000L;
        assertFalse(marks.marked(imds, PATH, now), "nothing noted yet");
        marks.note(imds, PATH, now);
        assertTrue(marks.marked(imds, PATH, now + RedirectsIntoImds.WINDOW_NANOS - 1));
        assertFalse(marks.marked(imds, PATH, now + RedirectsIntoImds.WINDOW_NANOS));

        for (int i = 0; i < 1000; i++) {
            marks.note(imds, "/spray/" + i, now);
        }
        assertTrue(marks.marked(imds, "/never/named", now + 1), "past the bound, the endpoint as a whole is marked");
        assertFalse(marks.marked(imds, "/never/named", now + RedirectsIntoImds.WINDOW_NANOS), "and that lapses too");
    }
}
