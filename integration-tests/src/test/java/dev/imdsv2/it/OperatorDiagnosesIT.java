package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.imdsv2.it.apps.UrlConnectionClient;

/**
 * What an operator reads: log lines a pipeline can parse, a token outage said once with its end, and the
 * container hop-limit trap named for what it is.
 */
class OperatorDiagnosesIT extends SimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @JdkIndependent
    @Test
    void everyJsonLogLineParsesCarriesItsFieldsAndNeverTheToken() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs("log.format=json", "log.level=debug"))
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH), "--", "get", url(INSTANCE_ID_PATH),
                        "X-Forwarded-For=10.0.0.1", "--", "ownToken", imds.baseUrl()).run();

        assertEquals(3, app.results("RESULT").size(), app.transcript());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : app.stderr()) {
            lines.add(JSON.readTree(line)); // throws on any line that is not one JSON object
        }
        for (JsonNode line : lines) {
            for (String field : List.of("time", "level", "event", "mode", "message")) {
                assertTrue(line.hasNonNull(field), field + " in " + line);
            }
            assertTrue(line.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line.toString());
            assertEquals("upgrade", line.get("mode").asText());
        }
        JsonNode start = only(lines, l -> l.get("event").asText().equals("start"));
        assertEquals("info", start.get("level").asText());
        JsonNode site = only(lines, l -> l.get("event").asText().equals("v1_call_site"));
        assertEquals("warn", site.get("level").asText());
        assertTrue(site.get("site").asText().startsWith(UrlConnectionClient.class.getName() + "."), site.toString());
        assertEquals("urlconnection", site.get("client").asText());
        assertEquals("other-meta-data", site.get("category").asText());
        assertEquals("upgraded", site.get("action").asText());

        List<JsonNode> decisions = lines.stream().filter(l -> l.get("event").asText().equals("decision")).toList();
        assertEquals(List.of("upgraded", "passed", "passed", "passed"),
                decisions.stream().map(l -> l.get("action").asText()).toList(), "one line per IMDS decision: " + decisions);
        assertTrue(decisions.get(1).get("reason").asText().contains("X-Forwarded-For"), decisions.get(1).toString());
        assertEquals(List.of("v1", "v1", "v2", "v2"), decisions.stream().map(l -> l.get("version").asText()).toList());

        Set<String> tokens = imds.issuedTokens();
        assertEquals(2, tokens.size(), "the agent's token and the application's own");
        for (String token : tokens) {
            assertTrue(app.stderr().stream().noneMatch(l -> l.contains(token)), "no log line holds a token");
        }
    }

    @JdkIndependent
    @Test
    void aTextLogLineAtDebugNeverHoldsTheTokenEither() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs("log.level=debug"))
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH)).run();

        assertEquals(List.of("200 " + INSTANCE_ID), app.results("RESULT"), app.transcript());
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("decision: urlconnection GET " + INSTANCE_ID_PATH)), app.transcript());
        String token = imds.issuedTokens().iterator().next();
        assertTrue(app.stderr().stream().noneMatch(l -> l.contains(token)), app.transcript());
    }

    @Test
    void aTokenOutageIsSaidOnceAndItsEndOnce() throws Exception {
        imds.requireTokens(false);
        imds.tokenPutAnswers(503);
        try (ChildJvm app = ChildJvm.withAgent(agentArgs("token.retry-after=1"))
                .main(UrlConnectionClient.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            for (int i = 0; i < 3; i++) {
                app.send("get");
                assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
                Thread.sleep(1100); // past retry-after: each GET tries one PUT
            }
            imds.resetFaults();
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
            app.send("exit");
            app.awaitExit();

            assertEquals(4, imds.tokenPutCount(), "three failed PUTs, then one that succeeded");
            List<String> outage = app.agentWarnings().stream().filter(l -> l.contains("token PUT to")).toList();
            assertEquals(1, outage.size(), "one WARN for the whole outage\n" + app.transcript());
            assertTrue(outage.get(0).contains("http_5xx"), outage.get(0));
            assertEquals(1, app.stderr().stream().filter(l -> l.contains("succeeded again after 3 failed")).count(),
                    "one line when it ends\n" + app.transcript());
        }
    }

    @Test
    void putsUnansweredWhileGetsAreAnsweredIsNamedTheHopLimitTrap() throws Exception {
        imds.requireTokens(false);
        imds.tokenPutNeverAnswered();
        try (ChildJvm app = ChildJvm.withAgent(agentArgs("token.timeout=500", "token.retry-after=1"))
                .main(UrlConnectionClient.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"), "the GET goes out tokenless and is answered");
            awaitStderr(app, l -> l.contains("HttpPutResponseHopLimit"));
            Thread.sleep(1100);
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
            AgentCli status = AgentCli.run("status", Long.toString(app.pid()));
            app.send("exit");
            app.awaitExit();

            List<String> diagnosis = app.agentWarnings().stream().filter(l -> l.contains("HttpPutResponseHopLimit")).toList();
            assertEquals(List.of("token PUT got no answer while IMDS answers GETs: in a container, raise the instance's"
                    + " HttpPutResponseHopLimit to 2 (IMDS at " + imds.baseUrl() + ")"), diagnosis, app.transcript());
            assertTrue(status.stdout.contains("diagnosis:  token PUT got no answer while IMDS answers GETs"), status.toString());
            assertTrue(status.stdout.contains("hop_limit=1") && status.stdout.contains("timeout=1"),
                    "the PUT after the diagnosis counts under its own outcome\n" + status);
        }
    }

    @Test
    void aPlainOutageWhereNothingAnswersIsNotTakenForTheHopLimitTrap() throws Exception {
        imds.requireTokens(false);
        imds.slowResponses(Duration.ofSeconds(2)); // neither the PUT nor a GET answers within token.timeout
        try (ChildJvm app = ChildJvm.withAgent(agentArgs("token.timeout=500"))
                .main(UrlConnectionClient.class, "interactive", url(INSTANCE_ID_PATH)).start()) {
            app.awaitLine("READY");
            app.send("get");
            assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
            Thread.sleep(1500); // the probe's own timeout has passed
            AgentCli status = AgentCli.run("status", Long.toString(app.pid()));
            app.send("exit");
            app.awaitExit();

            assertTrue(app.stderr().stream().noneMatch(l -> l.contains("HttpPutResponseHopLimit")), app.transcript());
            assertFalse(status.stdout.contains("diagnosis:"), status.toString());
            assertTrue(status.stdout.contains("timeout=1"), status.toString());
        }
    }

    private static JsonNode only(List<JsonNode> lines, Predicate<JsonNode> which) {
        List<JsonNode> found = lines.stream().filter(which).toList();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    private static void awaitStderr(ChildJvm app, Predicate<String> line) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && app.stderr().stream().noneMatch(line)) {
            Thread.sleep(50);
        }
        assertTrue(app.stderr().stream().anyMatch(line), app.transcript());
    }
}
