package dev.imdsv2.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class CallSitesTest {

    @Test
    void aSiteRecordedLaterIsReadFromTheStackCapturedWhereTheRequestWasSent() {
        CallSites sites = new CallSites(new Readiness("upgrade", 0, 0));
        Throwable sentFrom = sendFromHere();
        sites.recordLater(sentFrom, "okhttp", Category.CREDENTIALS, Action.UPGRADED);
        sites.recordLater(sentFrom, "okhttp", Category.CREDENTIALS, Action.UPGRADED);
        sites.record("a.B.c(B.java:1)", "okhttp", Category.CREDENTIALS, Action.PASSED);

        List<CallSites.Site> snapshot = sites.snapshot();

        assertEquals(2, snapshot.size());
        CallSites.Site later = site(snapshot, "com.example.Metadata.instanceId(Metadata.java:3)");
        assertEquals(Long.valueOf(2), later.counts.get(Action.UPGRADED));
        assertEquals("okhttp", later.client);
        assertEquals(0, sites.pending());
    }

    @Test
    void theReaderThreadReadsQueuedSitesWithoutBeingAsked() throws Exception {
        CallSites sites = new CallSites(new Readiness("upgrade", 0, 0));
        sites.recordLater(sendFromHere(), "urlconnection", Category.PLACEMENT, Action.PASSED);

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sites.pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        assertEquals(0, sites.pending(), "the queued request was never read");
        assertEquals(1, sites.size());
    }

    @Test
    void aSnapshotHoldsEveryRequestRecordedBeforeItWhileTheReaderThreadReads() {
        CallSites sites = new CallSites(new Readiness("upgrade", 0, 0));
        Throwable sentFrom = sendFromHere();
        long recorded = 0;
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 50; i++) {
                sites.recordLater(sentFrom, "okhttp", Category.PLACEMENT, Action.UPGRADED);
                recorded++;
            }
            long seen = 0;
            for (CallSites.Site site : sites.snapshot()) {
                seen += site.counts.get(Action.UPGRADED);
            }
            assertEquals(recorded, seen, "round " + round);
        }
    }

    @Test
    void aFullQueueMakesTheRequestReadItsOwnSite() {
        CallSites sites = new CallSites(new Readiness("upgrade", 0, 0), 0);
        sites.recordLater(sendFromHere(), "apache-httpclient-5", Category.OTHER, Action.PASSED);

        assertEquals(1, sites.recordedSites(), "recorded at once, not queued");
        assertEquals(0, sites.pending());
    }

    /** A stack as a request from an application's code through OkHttp would capture it. */
    private static Throwable sendFromHere() {
        Throwable sentFrom = new Throwable();
        sentFrom.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("dev.imdsv2.agent.policy.DecisionPath", "decide", "DecisionPath.java", 1),
            new StackTraceElement("okhttp3.internal.connection.RealCall", "execute", "RealCall.kt", 2),
            new StackTraceElement("com.example.Metadata", "instanceId", "Metadata.java", 3),
            new StackTraceElement("com.example.App", "main", "App.java", 4),
        });
        return sentFrom;
    }

    private static CallSites.Site site(List<CallSites.Site> sites, String name) {
        for (CallSites.Site site : sites) {
            if (site.site.equals(name)) {
                return site;
            }
        }
        throw new AssertionError("no site " + name + " in " + sites.size() + " sites");
    }
}
