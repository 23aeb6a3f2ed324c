package dev.imdsv2.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.policy.Action;
import dev.imdsv2.agent.policy.Category;

class CallSiteReportTest {

    @Test
    void readyWhileNothingTokenlessReachedImds() {
        RequestCounters counters = new RequestCounters();
        CallSites sites = new CallSites();
        counters.countRequest("urlconnection", "v1", Action.UPGRADED, Category.CREDENTIALS);
        sites.record("a.B.c(B.java:1)", "urlconnection", Category.CREDENTIALS, Action.UPGRADED);
        counters.countRequest("urlconnection", "v1", Action.BLOCKED, Category.USER_DATA);
        sites.record("a.B.d(B.java:2)", "urlconnection", Category.USER_DATA, Action.BLOCKED);

        String json = CallSiteReport.json("1.0", "enforce", counters, sites, 0L);

        assertTrue(json.contains("\"ready\": true"), json);
        assertTrue(json.contains("\"generatedAt\": \"1970-01-01T00:00:00.000Z\""), json);
        assertTrue(json.contains("\"requests\": {\"v1\": {\"upgraded\": 1, \"passed\": 0, \"blocked\": 1}, \"v2\": 0}"), json);
        assertTrue(json.contains("\"reachesImdsAsV1\": false"), json);
    }

    @Test
    void sitesThatReachImdsAsV1ComeFirstAndMakeItNotReady() {
        RequestCounters counters = new RequestCounters();
        CallSites sites = new CallSites();
        sites.record("a.A.upgraded(A.java:1)", "okhttp", Category.PLACEMENT, Action.UPGRADED);
        counters.countRequest("okhttp", "v1", Action.PASSED, Category.PLACEMENT);
        sites.record("z.Z.passed(Z.java:9)", "okhttp", Category.PLACEMENT, Action.PASSED);

        String json = CallSiteReport.json("1.0", "observe", counters, sites, 0L);

        assertTrue(json.contains("\"ready\": false"), json);
        assertTrue(json.contains("not ready: 1 IMDSv1 request(s) from 1 call site(s) reached IMDS without a token"), json);
        assertTrue(json.indexOf("z.Z.passed") < json.indexOf("a.A.upgraded"), json);
    }

    @Test
    void suggestsAPolicyThatAllowsExactlyWhatWasSeen() {
        RequestCounters counters = new RequestCounters();
        CallSites sites = new CallSites();
        sites.record("com.amazonaws.internal.EC2ResourceFetcher.doReadResource(EC2ResourceFetcher.java:66)", "urlconnection",
                Category.CREDENTIALS, Action.PASSED);
        sites.record("com.example.Placement.region(Placement.java:12)", "okhttp", Category.PLACEMENT, Action.PASSED);

        String json = CallSiteReport.json("1.0", "observe", counters, sites, 0L);

        String callers = "com.amazonaws.internal.EC2ResourceFetcher;com.example.Placement";
        String paths = "/latest/meta-data/iam/;/latest/meta-data/identity-credentials/;/latest/meta-data/placement/";
        assertTrue(json.contains("\"suggestedPolicy\": {\"upgrade.callers\": \"" + callers + "\", \"upgrade.paths\": \"" + paths
                + "\", \"agentArguments\": \"upgrade.callers=" + callers + ",upgrade.paths=" + paths + "\"}"), json);
        // Pasted as agent arguments, it is a valid configuration that allows those callers and paths, nothing else.
        dev.imdsv2.agent.config.AgentConfig config = dev.imdsv2.agent.config.ConfigLoader.load(
                "upgrade.callers=" + callers + ",upgrade.paths=" + paths, new java.util.Properties(), java.util.Map.of());
        assertEquals(java.util.List.of(), config.problems());
        assertTrue(config.upgradeCallers().allows("com.example.Placement"));
        assertTrue(!config.upgradeCallers().allows("com.example.Ssrf"));
        assertTrue(config.upgradePaths().allows("/latest/meta-data/iam/security-credentials/role"));
        assertTrue(!config.upgradePaths().allows("/latest/user-data"));
    }

    @Test
    void timestampsAreIso8601Utc() {
        for (long millis : new long[] {0L, 951_782_400_000L, 1_709_251_199_999L, 4_102_444_800_001L, 1_798_761_599_123L}) {
            assertEquals(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                            .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(millis)),
                    CallSiteReport.timestamp(millis), "at " + millis);
        }
    }

    @Test
    void stringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\u000a\"", CallSiteReport.string(new StringBuilder(), "a\"b\\c\n").toString());
    }
}
