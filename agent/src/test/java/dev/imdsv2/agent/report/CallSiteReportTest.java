package dev.imdsv2.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.log.Formats;

/** The report is read as the JSON document it is. */
class CallSiteReportTest {
    private final Readiness readiness = new Readiness("observe", 60_000, 1_000);
    private final RequestCounters counters = new RequestCounters(readiness);
    private final CallSites sites = new CallSites(readiness);

    private void request(String site, String client, Category category, Action action, long atMillis) {
        counters.countRequest(client, "v1", action, category);
        sites.record(site, client, category, action, atMillis);
    }

    private JsonNode report(long nowMillis) throws Exception {
        return new ObjectMapper().readTree(CallSiteReport.json("1.0", counters, sites, readiness, nowMillis));
    }

    @Test
    void readyWhileNothingTokenlessReachedImds() throws Exception {
        readiness.modeSet("enforce", 60_000, 2_000);
        request("a.B.c(B.java:1)", "urlconnection", Category.CREDENTIALS, Action.UPGRADED, 3_000);
        request("a.B.d(B.java:2)", "urlconnection", Category.USER_DATA, Action.BLOCKED, 3_000);

        JsonNode json = report(0L);

        assertTrue(json.get("ready").asBoolean(), json.toString());
        assertEquals("READY", json.get("readiness").asText());
        assertEquals("enforce", json.get("mode").asText());
        assertEquals("1970-01-01T00:00:00.000Z", json.get("generatedAt").asText());
        assertEquals(1, json.at("/requests/v1/upgraded").asLong());
        assertEquals(0, json.at("/requests/v1/passed").asLong());
        assertEquals(1, json.at("/requests/v1/blocked").asLong(), "blocked requests are history, not reaching IMDS");
        assertEquals(0, json.get("v1RequestsReachingImds").asLong());
        assertEquals(2, json.at("/phase/imdsRequests").asLong());
        assertFalse(json.at("/callSites/0/reachesImdsAsV1").asBoolean());
    }

    @Test
    void aTokenlessRequestThatReachedImdsMakesThePhaseNotReadyAndIsNamed() throws Exception {
        request("a.A.upgraded(A.java:1)", "okhttp", Category.PLACEMENT, Action.UPGRADED, 2_000);
        request("z.Z.passed(Z.java:9)", "okhttp", Category.PLACEMENT, Action.PASSED, 5_000);

        JsonNode json = report(10_000);

        assertFalse(json.get("ready").asBoolean());
        assertEquals("NOT_READY", json.get("readiness").asText());
        assertEquals(1, json.get("v1RequestsReachingImds").asLong());
        assertEquals("1970-01-01T00:00:05.000Z", json.at("/phase/lastV1ReachingImds/at").asText());
        assertEquals("z.Z.passed(Z.java:9)", json.at("/phase/lastV1ReachingImds/site").asText());
        assertTrue(json.get("verdict").asText().startsWith("not ready: 1 tokenless request reached IMDS since"
                + " 1970-01-01T00:00:01.000Z (mode observe); the last at 1970-01-01T00:00:05.000Z from z.Z.passed(Z.java:9)"),
                json.get("verdict").asText());
        assertEquals("z.Z.passed(Z.java:9)", json.at("/callSites/0/site").asText(), "sites reaching IMDS come first");
        assertTrue(json.at("/callSites/0/reachesImdsAsV1").asBoolean());
    }

    @Test
    void aModeChangeStartsAPhaseAndTheEarlierRequestsStayHistory() throws Exception {
        request("z.Z.passed(Z.java:9)", "urlconnection", Category.PLACEMENT, Action.PASSED, 2_000);
        readiness.modeSet("upgrade", 60_000, 3_000);
        request("z.Z.passed(Z.java:9)", "urlconnection", Category.PLACEMENT, Action.UPGRADED, 4_000);

        JsonNode json = report(5_000);

        assertTrue(json.get("ready").asBoolean(), json.toString());
        assertEquals("upgrade", json.at("/phase/mode").asText());
        assertEquals("1970-01-01T00:00:03.000Z", json.at("/phase/startedAt").asText());
        assertTrue(json.at("/phase/lastV1ReachingImds").isNull());
        assertEquals(1, json.at("/sinceStart/v1RequestsReachingImds").asLong());
        assertEquals(1, json.at("/callSites/0/counts/passed").asLong());
        assertEquals(1, json.at("/callSites/0/counts/upgraded").asLong());
    }

    @Test
    void aPhaseWithoutRequestsWaitsForReadyAfter() throws Exception {
        assertEquals("WAITING", report(60_999).get("readiness").asText());
        JsonNode later = report(61_000);
        assertEquals("READY", later.get("readiness").asText());
        assertTrue(later.get("verdict").asText().endsWith("no IMDS request at all since then"), later.toString());
    }

    @Test
    void suggestsAPolicyThatAllowsExactlyWhatWasSeen() throws Exception {
        request("com.amazonaws.internal.EC2ResourceFetcher.doReadResource(EC2ResourceFetcher.java:66)", "urlconnection",
                Category.CREDENTIALS, Action.PASSED, 2_000);
        request("com.example.Placement.region(Placement.java:12)", "okhttp", Category.PLACEMENT, Action.PASSED, 2_000);

        JsonNode policy = report(3_000).get("suggestedPolicy");

        String callers = "com.amazonaws.internal.EC2ResourceFetcher;com.example.Placement";
        String paths = "/latest/meta-data/iam/;/latest/meta-data/identity-credentials/;/latest/meta-data/placement/";
        assertEquals(callers, policy.get("upgrade.callers").asText());
        assertEquals(paths, policy.get("upgrade.paths").asText());
        assertEquals("upgrade.callers=" + callers + ",upgrade.paths=" + paths, policy.get("agentArguments").asText());
        // Pasted as agent arguments, it is a valid configuration that allows those callers and paths, nothing else.
        AgentConfig config = ConfigLoader.load(policy.get("agentArguments").asText(), new Properties(), Map.of());
        assertEquals(List.of(), config.problems());
        assertTrue(config.upgradeCallers().allows("com.example.Placement"));
        assertFalse(config.upgradeCallers().allows("com.example.Ssrf"));
        assertTrue(config.upgradePaths().allows("/latest/meta-data/iam/security-credentials/role"));
        assertFalse(config.upgradePaths().allows("/latest/user-data"));
    }

    @Test
    void aSiteWithQuotesAndControlCharactersIsStillValidJson() throws Exception {
        request("a.\"B\\\n.c(B.java:1)", "okhttp", Category.OTHER, Action.PASSED, 2_000);
        assertEquals("a.\"B\\\n.c(B.java:1)", report(3_000).at("/callSites/0/site").asText());
    }

    @Test
    void timestampsAreIso8601Utc() {
        for (long millis : new long[] {0L, 951_782_400_000L, 1_709_251_199_999L, 4_102_444_800_001L, 1_798_761_599_123L}) {
            assertEquals(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                            .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(millis)),
                    Formats.timestamp(millis), "at " + millis);
        }
    }
}
