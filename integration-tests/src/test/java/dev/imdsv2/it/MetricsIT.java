package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.imdsv2.it.apps.ScriptedClient;

/**
 * What an SRE sees (README.md, "Metrics and reports"): the meters in a real scrape of the agent's Prometheus endpoint
 * and over a real JMX connection, the call-site report file, bounded series, no token anywhere, and nothing of it
 * when it is not asked for.
 */
class MetricsIT extends SimulatorTest {
    private static final String PLACEMENT_PATH = "/latest/meta-data/placement/availability-zone";
    private static final String V1 = "action=%s,category=%s,client=urlconnection,version=v1";
    /** Not under test here: a generous PUT timeout keeps a loaded machine from turning an upgrade into a pass. */
    static final String PATIENT = "token.timeout=5000";

    @TempDir
    Path temp;

    @Test
    void aScriptedSequenceGivesEveryMeterItsExactValueInTheScrapeOverJmxAndInTheReport() throws Exception {
        int metricsPort = PrometheusText.freePort();
        int jmxPort = PrometheusText.freePort();
        Path report = temp.resolve("reports/imdsv2-report.json");
        try (ChildJvm app = ChildJvm.withAgent(agentArgs(PATIENT, "metrics.prometheus.port=" + metricsPort, "report.file=" + report))
                .jvm(jmxRemote(jmxPort))
                .main(ScriptedClient.class).start()) {
            app.awaitLine("READY");
            JMXConnector jmx = connect(jmxPort);
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName agent = new ObjectName("dev.imdsv2:type=Agent");

            // 1. v1, upgraded (tokens required): one successful token PUT
            assertEquals("RESULT 200 " + INSTANCE_ID, run(app, "get " + url(INSTANCE_ID_PATH)), app.transcript());
            // 2. v2 done by the application itself: its PUT and its GET are left alone
            assertEquals("RESULT 200 " + INSTANCE_ID, run(app, "ownToken " + imds.baseUrl()), () -> app.transcript() + imds.received());
            // 3. observe, switched over JMX: the next v1 request goes out without the (still valid) token
            server.setAttribute(agent, new Attribute("Mode", "observe"));
            imds.requireTokens(false);
            assertTrue(run(app, "get " + url(PLACEMENT_PATH)).startsWith("RESULT 200 "), app.transcript());
            assertFalse(metadataRequestsTo(PLACEMENT_PATH).get(0).hasToken(), "observe mode, set over JMX, takes effect at once");
            // 4. back to upgrade; the token expires inside IMDS: the upgraded request gets a 401, and
            //    HttpURLConnection re-sends it with a fresh token (a second successful PUT)
            server.setAttribute(agent, new Attribute("Mode", "upgrade"));
            imds.requireTokens(true);
            imds.expireAllTokens();
            assertEquals("RESULT 200 " + INSTANCE_ID, run(app, "get " + url(INSTANCE_ID_PATH)), app.transcript());
            // 5. again, but now the token PUT fails (404): the refused request is re-sent as the application
            //    made it, and with tokens optional it succeeds (counted v1 passed)
            imds.requireTokens(false);
            imds.expireAllTokens();
            imds.tokenPutAnswers(404);
            assertEquals("RESULT 200 " + INSTANCE_ID, run(app, "get " + url(INSTANCE_ID_PATH)), app.transcript());
            assertEquals(3, imds.tokenPutCount() - 1, "the agent's three PUTs (and the application's own one)");

            PrometheusText scrape = PrometheusText.scrapeWhen("http://127.0.0.1:" + metricsPort + "/metrics",
                    body -> body.contains("imdsv2_requests_total"), 20);
            Map<String, Double> requests = scrape.series("imdsv2_requests_total");
            assertEquals(new TreeMap<>(Map.of(
                    V1.formatted("upgraded", "other-meta-data"), 3.0,
                    V1.formatted("passed", "other-meta-data"), 1.0,
                    V1.formatted("passed", "placement"), 1.0,
                    "action=passed,category=token,client=urlconnection,version=v2", 1.0,
                    "action=passed,category=other-meta-data,client=urlconnection,version=v2", 1.0)), requests, scrape.text());
            assertEquals(Map.of("client=urlconnection", 2.0), scrape.series("imdsv2_unauthorized_total"));
            Map<String, Double> fetches = scrape.series("imdsv2_token_fetch_seconds_count");
            assertEquals(9, fetches.size(), "every outcome has its series from the start: " + fetches);
            assertEquals(2.0, fetches.get("outcome=success"));
            assertEquals(1.0, fetches.get("outcome=http_404"));
            assertEquals(3.0, fetches.values().stream().mapToDouble(Double::doubleValue).sum());
            assertTrue(scrape.series("imdsv2_token_fetch_seconds_sum").get("outcome=success") > 0);
            assertEquals(0.0, scrape.value("imdsv2_token_expiry_seconds"), "the rejected token was dropped, none since");
            assertEquals(2.0, scrape.value("imdsv2_call_sites"), "one code line, two categories");
            // The verdict of the phase since the switch back to upgrade: step 5's request reached IMDS tokenless.
            assertEquals(0.0, scrape.value("imdsv2_ready"));
            assertEquals(1.0, scrape.value("imdsv2_v1_reaching_imds"), "step 3's pass was in the observe phase");
            assertEquals(Map.of("mode=enforce", 0.0, "mode=observe", 0.0, "mode=off", 0.0, "mode=upgrade", 1.0),
                    scrape.series("imdsv2_mode"));
            assertEquals(1, scrape.samples("imdsv2_agent_info").size(), scrape.text());
            assertEquals(1.0, scrape.value("imdsv2_agent_info"));
            assertTrue(scrape.samples("imdsv2_agent_info").get(0).labels().get("version").matches("\\d+\\.\\d+.*"), scrape.text());
            assertTrue(scrape.value("imdsv2_phase_start_seconds") * 1000 > System.currentTimeMillis() - 120_000, scrape.text());
            assertEquals(0.0, scrape.value("imdsv2_internal_failures_total"));

            // The same numbers over JMX.
            assertEquals("upgrade", server.getAttribute(agent, "Mode"));
            Map<String, Long> jmxRequests = table(server.getAttribute(agent, "RequestCounts"));
            assertEquals(requests.size(), jmxRequests.size(), jmxRequests.toString());
            requests.forEach((labels, value) -> assertEquals(value.longValue(), jmxRequests.get(jmxKey(labels)), labels));
            assertEquals(Map.of("urlconnection", 2L), table(server.getAttribute(agent, "UnauthorizedCounts")));
            Map<String, Long> jmxFetches = table(server.getAttribute(agent, "TokenFetchCounts"));
            fetches.forEach((labels, value) -> assertEquals(value.longValue(), jmxFetches.get(labels.substring("outcome=".length()))));
            assertEquals(0L, server.getAttribute(agent, "TokenExpirySeconds"));
            assertEquals(2, ((String[]) server.getAttribute(agent, "CallSites")).length);
            assertEquals(1L, server.getAttribute(agent, "V1RequestsReachingImds"));
            assertEquals(2L, server.getAttribute(agent, "V1RequestsReachingImdsSinceStart"));
            assertEquals(false, server.getAttribute(agent, "Ready"));
            assertEquals("NOT_READY", server.getAttribute(agent, "Readiness"));
            assertEquals(0L, server.getAttribute(agent, "InternalFailures"));
            String jmxReport = (String) server.getAttribute(agent, "CallSiteReport");
            com.fasterxml.jackson.databind.JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jmxReport);
            assertFalse(parsed.get("ready").asBoolean(), jmxReport);
            assertEquals(1, parsed.get("v1RequestsReachingImds").asLong(), jmxReport);
            assertEquals(2, parsed.at("/sinceStart/v1RequestsReachingImds").asLong(), jmxReport);

            List<String> everything = new ArrayList<>(List.of(scrape.text(), jmxReport));
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(agent).getAttributes()) {
                everything.add(String.valueOf(server.getAttribute(agent, attribute.getName())));
            }
            jmx.close();
            app.send("exit");
            assertEquals(0, app.awaitExit(), app.transcript());

            // The report, written at shutdown: per site client, category, counts per action, first/last seen; verdict.
            String json = Files.readString(report);
            com.fasterxml.jackson.databind.JsonNode written = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            assertFalse(written.get("ready").asBoolean(), json);
            assertTrue(written.get("verdict").asText().startsWith("not ready: 1 tokenless request reached IMDS since "), json);
            assertTrue(written.get("verdict").asText().contains(" (mode upgrade); the last at "), json);
            assertTrue(written.at("/phase/lastV1ReachingImds/site").asText().startsWith(
                    "dev.imdsv2.it.apps.UrlConnectionClient.read(UrlConnectionClient.java:"), json);
            assertEquals(3, written.at("/requests/v1/upgraded").asLong(), json);
            assertEquals(2, written.at("/requests/v1/passed").asLong(), json);
            assertEquals(0, written.at("/requests/v1/blocked").asLong(), json);
            assertEquals(2, written.at("/requests/v2").asLong(), json);
            com.fasterxml.jackson.databind.JsonNode sites = written.get("callSites");
            assertEquals(2, sites.size(), json);
            Map<String, String> countsByCategory = new TreeMap<>();
            for (com.fasterxml.jackson.databind.JsonNode site : sites) {
                assertTrue(site.get("site").asText().startsWith("dev.imdsv2.it.apps.UrlConnectionClient.read(UrlConnectionClient.java:"), json);
                assertEquals("urlconnection", site.get("client").asText());
                assertTrue(site.get("firstSeen").asText().matches("\\d{4}-\\d\\d-\\d\\dT[^\"]+Z"), json);
                countsByCategory.put(site.get("category").asText(), site.get("counts").toString());
            }
            assertEquals(Map.of("other-meta-data", "{\"upgraded\":3,\"passed\":1,\"blocked\":0}",
                    "placement", "{\"upgraded\":0,\"passed\":1,\"blocked\":0}"), countsByCategory);

            // No token value in any log line, the report, any JMX attribute or the scrape.
            everything.add(json);
            everything.addAll(app.stderr());
            assertTrue(imds.issuedTokens().size() >= 2, "tokens were issued: " + imds.issuedTokens().size());
            for (String token : imds.issuedTokens()) {
                for (String text : everything) {
                    assertFalse(text.contains(token), "a token value leaked into: " + text);
                }
            }
        }
    }

    /** No HTTP server class, no Micrometer class, no thread of theirs: with the port unset nothing can listen. */
    @Test
    void withoutMetricsKeysNothingListensAndMicrometerIsNeverLoaded() throws Exception {
        // Java 8 logs a loaded class as "[Loaded NAME from ...]", 9+ as "[...][class,load] NAME source: ..."
        boolean java8 = ChildJvm.javaFeatureVersion() < 9;
        try (ChildJvm app = ChildJvm.withAgent(agentArgs(PATIENT)).jvm(java8 ? "-verbose:class" : "-Xlog:class+load=info")
                .main(ScriptedClient.class).start()) {
            app.awaitLine("READY");
            assertEquals("RESULT 200 " + INSTANCE_ID, run(app, "get " + url(INSTANCE_ID_PATH)));
            app.send("threads");
            app.awaitLine("RESULT threads");
            app.send("exit");
            assertEquals(0, app.awaitExit(), app.transcript());

            List<String> threads = app.results("THREAD");
            assertTrue(threads.stream().noneMatch(t -> t.contains("prometheus") || t.contains("metrics") || t.contains("report")
                    || t.startsWith("HTTP-Dispatcher")), threads.toString());
            List<String> loaded = app.stdout().stream().filter(l -> java8 ? l.startsWith("[Loaded ") : l.contains("[class,load]")).toList();
            assertTrue(loaded.stream().anyMatch(l -> l.contains("dev.imdsv2.agent.policy.DecisionPath")), "class loading is logged");
            assertTrue(loaded.stream().noneMatch(l -> l.contains("shaded.io.micrometer") || l.contains("shaded.io.prometheus")
                    || l.contains("com.sun.net.httpserver")), "an IMDS call without metrics keys loads no Micrometer");
        }
    }

    @Test
    void aThousandPathsFromAHundredCallSitesStayAHandfulOfSeries() throws Exception {
        Path classes = compileCallSites(temp.resolve("generated"));
        int metricsPort = PrometheusText.freePort();
        Path report = temp.resolve("report.json");
        try (ChildJvm app = ChildJvm.withAgent(agentArgs(PATIENT, "metrics.prometheus.port=" + metricsPort, "report.file=" + report))
                .classPath(ChildJvm.defaultClassPath() + File.pathSeparator + classes)
                .main(ScriptedClient.class).start()) {
            app.awaitLine("READY");
            String statuses = run(app, "sites generated.Sites " + imds.baseUrl() + " 1000");
            assertTrue(statuses.startsWith("RESULT statuses {"), statuses + app.transcript());

            PrometheusText scrape = PrometheusText.scrapeWhen("http://127.0.0.1:" + metricsPort + "/metrics",
                    body -> body.contains("imdsv2_requests_total"), 20);
            app.send("exit");
            assertEquals(0, app.awaitExit(), app.transcript());

            Map<String, Double> requests = scrape.series("imdsv2_requests_total");
            assertEquals(5, requests.size(), "one series per category: " + requests);
            assertEquals(1000.0, requests.values().stream().mapToDouble(Double::doubleValue).sum());
            assertEquals(100.0, scrape.value("imdsv2_call_sites"));
            List<String> lines = scrape.sampleLines("imdsv2_");
            // 5 request series, 9 outcomes x (count, sum), token expiry, call sites, ready, v1 reaching IMDS,
            // phase start, agent info, mode x 4, internal failures
            assertEquals(5 + 18 + 1 + 1 + 1 + 1 + 1 + 1 + 4 + 1, lines.size(), String.join("\n", lines));
            assertFalse(scrape.text().contains("/p") || scrape.text().contains("generated.Sites"), "no path, no class in a tag");

            String json = Files.readString(report);
            assertEquals(100, json.lines().filter(l -> l.contains("\"site\": \"generated.Sites.site")).count(), json);
            assertEquals(1, app.stderr().stream().filter(l -> l.contains("IMDSv1 call site generated.Sites.site42(")).count(),
                    "one WARN per new call site");
        }
    }

    /** Generates {@code generated.Sites} with {@code site0..site99}, each making its own HttpURLConnection call. */
    private static Path compileCallSites(Path dir) throws IOException {
        StringBuilder source = new StringBuilder("package generated;\npublic final class Sites {\n");
        for (int i = 0; i < 100; i++) {
            source.append("  public static int site").append(i).append("(String url) throws java.io.IOException {\n")
                    .append("    java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();\n")
                    .append("    int status = c.getResponseCode();\n")
                    .append("    try (java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {\n")
                    .append("      if (in != null) { while (in.read() >= 0) { } }\n")
                    .append("    }\n")
                    .append("    return status;\n  }\n");
        }
        source.append("}\n");
        Path file = dir.resolve("generated/Sites.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // for the oldest JDK the suite runs on, like the other test apps
        assertEquals(0, javac.run(null, null, null, "--release", "8", "-d", dir.toString(), file.toString()));
        return dir;
    }

    private static String run(ChildJvm app, String command) throws Exception {
        app.send(command);
        return app.awaitLine("RESULT");
    }

    static String[] jmxRemote(int port) {
        return new String[] {
            "-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
        };
    }

    static JMXConnector connect(int port) throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                return JMXConnectorFactory.connect(url);
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    /** An MXBean {@code Map<String, Long>} as it arrives over JMX. */
    static Map<String, Long> table(Object tabular) {
        Map<String, Long> map = new TreeMap<>();
        for (Object row : ((TabularData) tabular).values()) {
            CompositeData data = (CompositeData) row;
            map.put((String) data.get("key"), (Long) data.get("value"));
        }
        return map;
    }

    /** {@code action=..,category=..,client=..,version=..} (scrape) to {@code client=..,version=..,action=..,category=..} (JMX). */
    private static String jmxKey(String labels) {
        Matcher m = Pattern.compile("action=([^,]+),category=([^,]+),client=([^,]+),version=([^,]+)").matcher(labels);
        assertTrue(m.matches(), labels);
        return "client=" + m.group(3) + ",version=" + m.group(4) + ",action=" + m.group(1) + ",category=" + m.group(2);
    }
}
