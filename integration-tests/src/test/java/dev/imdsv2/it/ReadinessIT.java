package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.imdsv2.it.apps.PolicyClient;

/**
 * One readiness answer everywhere (README.md, "Readiness"): for each situation of the shutoff, {@code status}'s exit
 * code, JMX {@code Ready}, the report's {@code ready} and the {@code imdsv2_ready} gauge agree, and a real Prometheus
 * (Debian's {@code prometheus}, which {@code .ci/run} installs and this test starts on loopback) scraping the agent
 * JVMs with the project's own rules loaded gives the same answer through the README's fleet query and alerts.
 */
class ReadinessIT extends SimulatorTest {
    private static final String PROMETHEUS = "/usr/bin/prometheus";
    private static final Path RULES = Paths.get("..", "docs", "prometheus", "imdsv2-alerts.yml").toAbsolutePath().normalize();
    private static final Pattern METRICS_URL = Pattern.compile("metrics=(http://127\\.0\\.0\\.1:\\d+)/metrics");
    private static final String PLACEMENT = "/latest/meta-data/placement/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path prometheusDir;
    private Process prometheus;
    private String prometheusUrl;
    private final List<ChildJvm> jvms = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(20, TimeUnit.SECONDS);
        }
        for (ChildJvm jvm : jvms) {
            jvm.close();
        }
    }

    @JdkIndependent
    @Test
    void everyOutputAndTheFleetQueryGiveTheSameAnswerInEachSituation() throws Exception {
        assumePrometheus();
        // every request upgraded
        ChildJvm upgraded = app("mode=upgrade");
        ask(upgraded, "untrusted " + url(INSTANCE_ID_PATH), "200 " + INSTANCE_ID);
        ask(upgraded, "untrusted " + url(INSTANCE_ID_PATH), "200 " + INSTANCE_ID);
        // three tokenless requests at start-up (an old SDK reading its region once), then idle
        ChildJvm startUpV1 = app("mode=observe");
        for (int i = 0; i < 3; i++) {
            ask(startUpV1, "untrusted " + url(INSTANCE_ID_PATH), "401 ");
        }
        // observe, then switched to upgrade at run time (a re-attach, as the runbook does it)
        ChildJvm switched = app("mode=observe");
        ask(switched, "untrusted " + url(INSTANCE_ID_PATH), "401 ");
        AgentCli attach = AgentCli.run("attach", Long.toString(switched.pid()), "mode=upgrade");
        assertEquals(0, attach.exitCode, attach.toString());
        AgentCli waiting = AgentCli.run("status", Long.toString(switched.pid()));
        assertEquals(5, waiting.exitCode, "nothing seen since the switch: no verdict yet\n" + waiting);
        assertTrue(waiting.stdout.contains("verdict:    NOT READY YET: no IMDS request since"), waiting.toString());
        ask(switched, "untrusted " + url(INSTANCE_ID_PATH), "200 " + INSTANCE_ID);
        // enforce: the request outside the policy is blocked in the caller and never reaches IMDS
        ChildJvm blocked = app("mode=enforce", "upgrade.paths=" + PLACEMENT);
        ask(blocked, "untrusted " + url(INSTANCE_ID_PATH), "ERROR java.io.IOException: imdsv2-agent (mode=enforce) blocked");

        Map<String, ChildJvm> rows = new LinkedHashMap<>();
        rows.put("upgraded", upgraded);
        rows.put("start_up_v1", startUpV1);
        rows.put("switched", switched);
        rows.put("enforce_blocked", blocked);
        Map<String, Boolean> expected = Map.of("upgraded", true, "start_up_v1", false, "switched", true, "enforce_blocked", true);
        startPrometheus(rows);

        for (Map.Entry<String, ChildJvm> row : rows.entrySet()) {
            boolean ready = expected.get(row.getKey());
            String pid = Long.toString(row.getValue().pid());
            AgentCli status = AgentCli.run("status", pid);
            assertEquals(ready ? 0 : 1, status.exitCode, row.getKey() + ": status\n" + status);
            try (AgentJmx jmx = AgentJmx.connect(row.getValue().pid())) {
                assertEquals(ready, jmx.get("Ready"), row.getKey() + ": JMX Ready");
                JsonNode report = JSON.readTree((String) jmx.get("CallSiteReport"));
                assertEquals(ready, report.get("ready").asBoolean(), row.getKey() + ": the report\n" + report);
                assertEquals(jmx.get("V1RequestsReachingImds"), report.get("v1RequestsReachingImds").asLong());
            }
            assertValue("min(imdsv2_ready{row=\"" + row.getKey() + "\"})", ready ? 1 : 0,
                    row.getKey() + ": imdsv2_ready and the fleet query of that JVM");
        }
        AgentCli history = AgentCli.run("status", Long.toString(switched.pid()));
        assertTrue(history.stdout.contains("client=urlconnection version=v1 action=passed") && history.stdout.contains(
                "phase:      upgrade since "), "the observe phase stays in the history\n" + history);

        assertValue("imdsv2:fleet_ready", 0, "one JVM holds the fleet back");
        assertValue("imdsv2:jvms_not_ready", 1, "one JVM holds the fleet back");
        assertValue("sum(imdsv2_v1_reaching_imds)", 3, "the start-up requests, and no blocked one");
        assertValue("count(ALERTS{alertname=\"Imdsv1StillReachingImds\",alertstate=\"firing\",job=\"start_up_v1\"})", 1,
                "three requests at start-up, then nothing: the alert fires");
        assertValue("count(ALERTS{alertname=\"Imdsv1StillReachingImds\",alertstate=\"firing\"})", 1, "and for that JVM only");

        startUpV1.send("exit");
        startUpV1.awaitExit();
        assertValue("imdsv2:fleet_ready", 1, "the JVM that held the fleet back is gone");
    }

    @Test
    void aModeSwitchedOverJmxStartsAPhaseAndIsLoggedLikeAReattach() throws Exception {
        ChildJvm app = app("mode=observe");
        ask(app, "untrusted " + url(INSTANCE_ID_PATH), "401 ");
        try (AgentJmx jmx = AgentJmx.connect(app.pid())) {
            assertEquals("NOT_READY", jmx.get("Readiness"));
            String firstPhase = (String) jmx.get("PhaseStartedAt");
            jmx.set("Mode", "upgrade");
            assertEquals("WAITING", jmx.get("Readiness"));
            ask(app, "untrusted " + url(INSTANCE_ID_PATH), "200 " + INSTANCE_ID);
            assertEquals(true, jmx.get("Ready"));
            assertEquals(0L, jmx.get("V1RequestsReachingImds"));
            assertEquals(1L, jmx.get("V1RequestsReachingImdsSinceStart"));
            assertTrue(((String) jmx.get("PhaseStartedAt")).compareTo(firstPhase) >= 0);
        }
        AgentCli status = AgentCli.run("status", Long.toString(app.pid()));
        assertEquals(0, status.exitCode, status.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (app.stderr().stream().noneMatch(l -> l.contains("mode set over JMX: mode=upgrade (was observe)"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("mode set over JMX: mode=upgrade (was observe)")), app.transcript());
    }

    @Test
    void theLastTokenlessRequestIsNamedWithItsTimeAndCallSite() throws Exception {
        ChildJvm app = app("mode=observe");
        ask(app, "untrusted " + url(INSTANCE_ID_PATH), "401 ");
        AgentCli status = AgentCli.run("status", Long.toString(app.pid()));
        assertEquals(1, status.exitCode, status.toString());
        Matcher last = Pattern.compile("last v1: +reached IMDS at \\d{4}-\\d\\d-\\d\\dT\\S+Z from "
                + Pattern.quote(PolicyClient.class.getName() + "$Untrusted.get(PolicyClient.java:")).matcher(status.stdout);
        assertTrue(last.find(), status.toString());
        assertTrue(status.stdout.contains("verdict:    NOT READY: 1 tokenless request reached IMDS since"), status.toString());
    }

    /** The rules and their unit tests (one per situation above, with the same expectations) pass Prometheus' own checker. */
    @JdkIndependent
    @Test
    void theAlertRulesPassPromtool() throws Exception {
        assumePrometheus();
        for (List<String> command : List.of(List.of("/usr/bin/promtool", "check", "rules", RULES.toString()),
                List.of("/usr/bin/promtool", "test", "rules", RULES.resolveSibling("imdsv2-alerts-test.yml").toString()))) {
            Process promtool = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, promtool.exitValue(), command + "\n" + output);
            assertTrue(output.contains("SUCCESS"), output);
        }
    }

    private ChildJvm app(String... settings) throws Exception {
        List<String> args = new ArrayList<>(List.of(settings));
        args.add("metrics.prometheus.port=0");
        ChildJvm app = ChildJvm.withAgent(agentArgs(args.toArray(new String[0]))).main(PolicyClient.class).start();
        jvms.add(app);
        app.awaitLine("READY");
        return app;
    }

    private static void ask(ChildJvm app, String command, String expectedStart) throws Exception {
        app.send(command);
        String result = app.awaitLine("RESULT ").substring("RESULT ".length());
        assertTrue(result.startsWith(expectedStart), command + " -> " + result + "\n" + app.transcript());
    }

    private void assumePrometheus() {
        boolean installed = new File(PROMETHEUS).canExecute();
        if (System.getenv("CI") != null) {
            assertTrue(installed, PROMETHEUS + " is missing: .ci/run installs Debian's prometheus");
        }
        assumeTrue(installed, "no " + PROMETHEUS + " on this machine (apt-get install prometheus)");
    }

    /** Prometheus on loopback, scraping each JVM's endpoint every second under a {@code row} label, with the project's rules. */
    private void startPrometheus(Map<String, ChildJvm> rows) throws Exception {
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "rule_files: ['" + RULES + "']\nscrape_configs:\n");
        for (Map.Entry<String, ChildJvm> row : rows.entrySet()) {
            String start = row.getValue().stderr().stream().filter(l -> l.contains(" started: ")).findFirst().orElseThrow();
            Matcher url = METRICS_URL.matcher(start);
            assertTrue(url.find(), start);
            config.append("  - job_name: ").append(row.getKey()).append("\n    static_configs:\n      - targets: ['")
                    .append(url.group(1).substring("http://".length())).append("']\n        labels: {row: ")
                    .append(row.getKey()).append("}\n");
        }
        Path file = prometheusDir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + file, "--storage.tsdb.path=" + prometheusDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(prometheusDir.resolve("prometheus.log").toFile()).start();
        prometheusUrl = "http://127.0.0.1:" + port;
    }

    /**
     * Waits (bounded) for an instant query to give {@code expected} as its single value: Prometheus scrapes and
     * evaluates every second, so a value it gave before the JVMs settled is read again until it is current.
     */
    private void assertValue(String query, double expected, String message) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
                last = answer.body();
                JsonNode result = JSON.readTree(last).at("/data/result");
                if (result.size() == 1 && result.get(0).get("value").get(1).asDouble() == expected) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                last = String.valueOf(notYet);
            }
            Thread.sleep(250);
        }
        fail(message + ": " + query + " did not give " + expected + ", last answer " + last + "\n"
                + Files.readString(prometheusDir.resolve("prometheus.log")));
    }
}
