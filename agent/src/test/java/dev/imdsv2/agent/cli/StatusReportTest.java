package dev.imdsv2.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.jmx.AgentMXBean;
import dev.imdsv2.agent.jmx.Published;
import dev.imdsv2.agent.report.ThisJvm;

/** The verdicts, the host's exit code and summary, and the JSON of {@code status}, from values rather than JVMs. */
class StatusReportTest {
    /** 2026-01-31T10:00:00Z */
    private static final long NOW = 1_769_853_600_000L;

    @Test
    void jsonEscapesWhatAStringMayHoldAndKeepsOrder() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("quote\"backslash\\", "line\nfeed\ttab\u0001bell\u00e9\u2028");
        doc.put("n", 42L);
        doc.put("empty", new ArrayList<>());
        doc.put("list", Arrays.asList(true, null, new LinkedHashMap<>()));

        assertEquals("{\n"
                + "  \"quote\\\"backslash\\\\\": \"line\\nfeed\\ttab\\u0001bell\\u00e9\\u2028\",\n"
                + "  \"n\": 42,\n"
                + "  \"empty\": [],\n"
                + "  \"list\": [\n"
                + "    true,\n"
                + "    null,\n"
                + "    {}\n"
                + "  ]\n"
                + "}\n", Json.write(doc));
    }

    @Test
    void aTokenlessRequestIsTheOneDefiniteNoAndWins() {
        assertEquals(1, StatusCommand.hostExitCode(pids(Verdict.READY, Verdict.WAITING, Verdict.NO_AGENT, Verdict.UNREACHABLE,
                Verdict.NOT_READY)));
        assertEquals(3, StatusCommand.hostExitCode(pids(Verdict.READY, Verdict.WAITING, Verdict.NO_AGENT, Verdict.UNREACHABLE)));
        assertEquals(4, StatusCommand.hostExitCode(pids(Verdict.READY, Verdict.WAITING, Verdict.NO_AGENT)));
        assertEquals(4, StatusCommand.hostExitCode(pids(Verdict.READY, Verdict.WAITING, Verdict.OFF)));
        assertEquals(5, StatusCommand.hostExitCode(pids(Verdict.READY, Verdict.WAITING)));
        assertEquals(0, StatusCommand.hostExitCode(pids(Verdict.READY, Verdict.READY)));
        assertEquals(0, StatusCommand.hostExitCode(pids()));
    }

    @Test
    void theSummaryNamesEveryJvmThatHoldsTheHostBack() {
        String summary = StatusCommand.summary(7, pids(Verdict.READY, Verdict.NOT_READY, Verdict.NO_AGENT, Verdict.NO_AGENT,
                Verdict.UNREACHABLE, Verdict.OFF, Verdict.WAITING));

        assertEquals("host: NOT READY: 1 of 7 JVMs " + Jvms.scope() + " ready; not ready: pid 101; cannot be read: pid 104;"
                + " without the agent: pid 102, 103; agent off: pid 105; not ready yet: pid 106", summary);
        assertEquals("host: READY: all 2 JVMs " + Jvms.scope() + " have the agent, and it is ready in each",
                StatusCommand.summary(2, pids(Verdict.READY, Verdict.READY)));
    }

    @Test
    void aReadyJvmInJson() {
        JvmReport report = JvmReport.read("4242", properties("upgrade", "http://127.0.0.1:9404/metrics"),
                AgentStatus.read(new FakeAgent("upgrade", "READY", "ready: no tokenless request has reached IMDS since"
                        + " 2026-01-31T10:00:00.000Z (mode upgrade); 3 IMDS requests since then", 0,
                        counts("client=urlconnection,version=v1,action=upgraded,category=identity", 3L))));

        Map<String, Object> json = report.json(true);

        assertEquals(Verdict.READY, report.verdict());
        assertEquals(4242L, json.get("pid"));
        assertEquals("com.example.Service", json.get("mainClass"));
        assertEquals(17, json.get("java"));
        assertEquals("1.2.3", json.get("agentVersion"));
        assertEquals("upgrade", json.get("mode"));
        assertEquals("http://127.0.0.1:9404/metrics", json.get("metricsUrl"));
        assertEquals("READY", json.get("verdict"));
        assertEquals(true, json.get("ready"));
        assertEquals(0, json.get("exitCode"));
        assertEquals("no tokenless request has reached IMDS since 2026-01-31T10:00:00.000Z (mode upgrade); 3 IMDS requests"
                + " since then", json.get("reason"));
        assertEquals("2026-01-31T10:00:00.000Z", json.get("phaseStartedAt"));
        assertEquals(0L, json.get("v1RequestsReachingImds"));
        assertEquals(3L, json.get("requestsSeen"));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("client", "urlconnection");
        request.put("version", "v1");
        request.put("action", "upgraded");
        request.put("category", "identity");
        request.put("count", 3L);
        assertEquals(List.of(request), json.get("requests"));
        assertEquals(List.of("com.example.Service.main(Service.java:1) client=urlconnection"), json.get("callSites"));
    }

    @Test
    void verdictsAndTheirLines() {
        JvmReport notReady = JvmReport.read("7", properties("observe", null),
                AgentStatus.read(new FakeAgent("observe", "NOT_READY", "not ready: 1 tokenless request reached IMDS since"
                        + " 2026-01-31T10:00:00.000Z (mode observe)", 1,
                        counts("client=urlconnection,version=v1,action=passed,category=identity", 1L))));
        JvmReport off = JvmReport.read("8", properties("off", null), AgentStatus.nothingSeenYet(properties("off", null), NOW));
        JvmReport nothingYet = JvmReport.read("9", properties("upgrade", null),
                AgentStatus.nothingSeenYet(properties("upgrade", null), NOW));
        JvmReport quietLongEnough = JvmReport.read("12", properties("upgrade", null),
                AgentStatus.nothingSeenYet(properties("upgrade", null), NOW + 600_000));
        Properties plain = new Properties();
        plain.setProperty("java.specification.version", "1.8");
        JvmReport noAgent = JvmReport.read("10", new JvmProperties("org.example.Other", plain, null), null);
        JvmReport unreachable = JvmReport.failed("11", "?", new CliException(ExitCodes.CANNOT_ATTACH, "attach is disabled in pid 11"));

        assertEquals("pid 7 (com.example.Service): NOT READY: 1 tokenless request reached IMDS since 2026-01-31T10:00:00.000Z"
                + " (mode observe) [imdsv2-agent 1.2.3, mode observe]", notReady.statusLine(false));
        assertEquals("pid 8 (com.example.Service): UNKNOWN: the agent is off and sees nothing [imdsv2-agent 1.2.3, mode off]",
                off.statusLine(false));
        assertEquals(Verdict.WAITING, nothingYet.verdict());
        assertTrue(nothingYet.statusLine(false).startsWith("pid 9 (com.example.Service): NOT READY YET: no IMDS request since"
                + " 2026-01-31T10:00:00.000Z (mode upgrade); ready at 2026-01-31T10:10:00.000Z"), nothingYet.statusLine(false));
        assertEquals(5, nothingYet.json(true).get("exitCode"));
        assertEquals("WAITING", nothingYet.json(true).get("verdict"));
        assertEquals(Verdict.READY, quietLongEnough.verdict());
        assertEquals("pid 10 (org.example.Other): NO AGENT: the agent is not in it, so it has no verdict and is not counted"
                + " as ready; load it with: java -jar imdsv2-agent.jar attach 10", noAgent.statusLine(false));
        assertEquals(false, noAgent.json(true).get("ready"));
        assertEquals(8, noAgent.json(true).get("java"));
        assertEquals(null, noAgent.json(true).get("agentVersion"));
        assertEquals("pid 11 (?): UNREACHABLE: attach is disabled in pid 11", unreachable.statusLine(false));
        assertEquals("attach is disabled in pid 11", unreachable.json(false).get("error"));
        assertEquals(3, unreachable.json(true).get("exitCode"));
    }

    @Test
    void theMainClassOfAJavaCommandLine() {
        assertEquals("com.example.Main", LocalProcess.mainClassOf(List.of("/usr/bin/java", "-Xmx1g", "-cp", "a.jar:b.jar",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "com.example.Main", "--port", "8080")));
        assertEquals("app.jar", LocalProcess.mainClassOf(List.of("java", "-Dx=1", "-jar", "app.jar", "run")));
        assertEquals("my.module/com.example.Main", LocalProcess.mainClassOf(List.of("java", "-p", "mods", "-m", "my.module/com.example.Main")));
        assertEquals("?", LocalProcess.mainClassOf(List.of("java", "@options")));
        assertEquals("?", LocalProcess.mainClassOf(List.of("java", "-version")));
        assertEquals("sleep", LocalProcess.mainClassOf(List.of("/usr/bin/sleep", "60")));
        assertEquals("?", LocalProcess.mainClassOf(List.of()));
    }

    @Test
    void thisTestsOwnJvmIsAmongTheJavaProcesses() {
        assumeTrue(LocalProcess.procAvailable(), "needs Linux's /proc");
        assumeTrue(new java.io.File(ProcessHandle.current().info().command().orElse("")).getName().equals("java"),
                "this JVM was started by a program named java");

        assertTrue(LocalProcess.javaProcessIds().contains(ThisJvm.pid()), LocalProcess.javaProcessIds().toString());
    }

    private static Map<Verdict, List<String>> pids(Verdict... verdicts) {
        Map<Verdict, List<String>> byVerdict = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v, new ArrayList<>());
        }
        for (int i = 0; i < verdicts.length; i++) {
            byVerdict.get(verdicts[i]).add(Integer.toString(100 + i));
        }
        return byVerdict;
    }

    private static JvmProperties properties(String mode, String metricsUrl) {
        Properties system = new Properties();
        system.setProperty("java.specification.version", "17");
        system.setProperty(Published.VERSION_PROPERTY, "1.2.3");
        system.setProperty(Published.MODE_PROPERTY, mode);
        system.setProperty(Published.PHASE_START_PROPERTY, Long.toString(NOW));
        system.setProperty(Published.READY_AFTER_MILLIS_PROPERTY, "600000");
        if (metricsUrl != null) {
            system.setProperty(Published.METRICS_URL_PROPERTY, metricsUrl);
        }
        return new JvmProperties("com.example.Service", system, null);
    }

    private static Map<String, Long> counts(String key, long n) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put(key, n);
        return counts;
    }

    /** What a JMX proxy of the agent's MBean answers. */
    private static final class FakeAgent implements AgentMXBean {
        private final String mode;
        private final String readiness;
        private final String verdict;
        private final long v1ReachingImds;
        private final Map<String, Long> requests;

        FakeAgent(String mode, String readiness, String verdict, long v1ReachingImds, Map<String, Long> requests) {
            this.mode = mode;
            this.readiness = readiness;
            this.verdict = verdict;
            this.v1ReachingImds = v1ReachingImds;
            this.requests = requests;
        }

        @Override public String getVersion() { return "1.2.3"; }
        @Override public String getMode() { return mode; }
        @Override public void setMode(String mode) { throw new UnsupportedOperationException(); }
        @Override public String getEndpoints() { return "[http://127.0.0.1:1338]"; }
        @Override public long getTokenExpirySeconds() { return 21600; }
        @Override public String getTokenDiagnosis() { return null; }
        @Override public Map<String, Long> getRequestCounts() { return requests; }
        @Override public Map<String, Long> getUnauthorizedCounts() { return Map.of(); }
        @Override public Map<String, Long> getTokenFetchCounts() { return Map.of("success", 1L); }
        @Override public String[] getCallSites() { return new String[] {"com.example.Service.main(Service.java:1) client=urlconnection"}; }
        @Override public String getCallSiteReport() { return "{}"; }
        @Override public long getV1RequestsReachingImds() { return v1ReachingImds; }
        @Override public long getV1RequestsReachingImdsSinceStart() { return v1ReachingImds; }
        @Override public String getPhaseStartedAt() { return "2026-01-31T10:00:00.000Z"; }
        @Override public String getReadiness() { return readiness; }
        @Override public boolean isReady() { return "READY".equals(readiness); }
        @Override public String getVerdict() { return verdict; }
        @Override public String getLastV1ReachingImds() { return null; }
        @Override public long getInternalFailures() { return 0; }
    }
}
