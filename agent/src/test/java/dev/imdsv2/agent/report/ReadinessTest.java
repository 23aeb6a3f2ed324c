package dev.imdsv2.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.report.Readiness.State;

/** The verdict of README.md's readiness table, one phase at a time. */
class ReadinessTest {
    private static final long READY_AFTER = 600_000;
    private final Readiness readiness = new Readiness("upgrade", READY_AFTER, 0);
    private final RequestCounters counters = new RequestCounters(readiness);
    private final CallSites sites = new CallSites(readiness);

    private void request(String version, Action action, long atMillis) {
        counters.countRequest("urlconnection", version, action, Category.PLACEMENT);
        if (version.equals("v1")) {
            sites.record("a.B.c(B.java:1)", "urlconnection", Category.PLACEMENT, action, atMillis);
        }
    }

    @Test
    void everyRequestUpgradedIsReady() {
        request("v1", Action.UPGRADED, 10);
        request("v2", Action.PASSED, 20);
        assertEquals(State.READY, readiness.state(30));
    }

    @Test
    void oneTokenlessRequestAtStartUpKeepsThePhaseNotReadyHoweverLongItIsIdleAfter() {
        request("v1", Action.PASSED, 10);
        request("v1", Action.UPGRADED, 20);
        assertEquals(State.NOT_READY, readiness.state(10 * READY_AFTER));
        assertEquals(1, readiness.v1ReachingImds());
        Readiness.View view = readiness.view(30);
        assertEquals("a.B.c(B.java:1)", view.lastReachingSite);
        assertEquals(10, view.lastReachingMillis);
    }

    @Test
    void switchedToUpgradeIsReadyOnceTheRequestsSinceAreUpgraded() {
        Readiness observing = new Readiness("observe", READY_AFTER, 0);
        RequestCounters observed = new RequestCounters(observing);
        observed.countRequest("okhttp", "v1", Action.PASSED, Category.CREDENTIALS);
        assertEquals(State.NOT_READY, observing.state(100));

        observing.modeSet("upgrade", READY_AFTER, 200);
        assertEquals(State.WAITING, observing.state(300), "nothing seen since the switch yet");
        observed.countRequest("okhttp", "v1", Action.UPGRADED, Category.CREDENTIALS);
        assertEquals(State.READY, observing.state(400));
        assertEquals(0, observing.v1ReachingImds());
        assertEquals(1, observed.total("v1", Action.PASSED), "the observe phase stays in the history");
    }

    @Test
    void blockedRequestsNeverReachedImds() {
        readiness.modeSet("enforce", READY_AFTER, 5);
        request("v1", Action.BLOCKED, 10);
        assertEquals(State.READY, readiness.state(20));
    }

    @Test
    void aPhaseWithoutAnyRequestWaitsForReadyAfter() {
        assertEquals(State.WAITING, readiness.state(READY_AFTER - 1));
        assertEquals(State.READY, readiness.state(READY_AFTER));
        assertEquals(READY_AFTER, readiness.view(0).readyAfterMillis);
    }

    @Test
    void theSameModeSetAgainKeepsThePhase() {
        request("v1", Action.PASSED, 10);
        readiness.modeSet("upgrade", READY_AFTER, 50);
        assertEquals(State.NOT_READY, readiness.state(60));
        assertEquals(0, readiness.phaseStartMillis());
    }

    @Test
    void aSiteReadAfterTheModeChangedBelongsToThePhaseBefore() {
        counters.countRequest("urlconnection", "v1", Action.PASSED, Category.PLACEMENT);
        readiness.modeSet("observe", READY_AFTER, 100);
        sites.record("a.B.c(B.java:1)", "urlconnection", Category.PLACEMENT, Action.PASSED, 90);
        assertNull(readiness.view(110).lastReachingSite);
        assertEquals(State.WAITING, readiness.state(110));
    }

    @Test
    void offHasNoVerdict() {
        readiness.modeSet("off", READY_AFTER, 10);
        assertEquals(State.OFF, readiness.state(10 * READY_AFTER));
    }
}
