package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.imdsv2.it.apps.AttachTarget;
import dev.imdsv2.simulator.ReceivedRequest;

/**
 * The CLI's manners (what a wrong command line gets), {@code list} over JVMs some of which cannot be read,
 * {@code status all} as the host's gate, and {@code --json}: the real agent jar, run as a command on the JDK
 * under test, against real JVMs.
 */
class CliIT extends SimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = AttachTarget.class.getName();
    private static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    @Test
    void aWrongCommandLineNamesTheProblemThenGivesTheUsageAndExits2() throws Exception {
        assertUsageError(AgentCli.run(), "imdsv2-agent: no command given");
        assertUsageError(AgentCli.run("detach", "123"), "imdsv2-agent: unknown command 'detach'");
        assertUsageError(AgentCli.run("attach"), "imdsv2-agent: attach needs a pid, or all");
        assertUsageError(AgentCli.run("status", "--json"), "imdsv2-agent: status needs a pid, or all");
        assertUsageError(AgentCli.run("list", "my-service"), "imdsv2-agent: 'my-service' is not a process id (pid)");

        AgentCli help = AgentCli.run("--help");
        assertEquals(0, help.exitCode, help.toString());
        assertTrue(help.stdout.contains("status [--json] all"), help.toString());
    }

    @Test
    void aWordThatIsNotASettingAttachesNothingAndSaysSoOnce() throws Exception {
        try (ChildJvm app = ChildJvm.withoutAgent().main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);

            AgentCli attach = AgentCli.run("attach", pid, "nonsense");

            assertEquals(2, attach.exitCode, attach.toString());
            assertEquals("imdsv2-agent: nothing attached: agent argument item 'nonsense' is not key=value\n", attach.stderr);
            assertEquals("", attach.stdout);
            AgentCli list = AgentCli.run("list", pid);
            assertTrue(row(list, pid).matches(pid + " +\\d+ +- +- +" + TARGET), list.toString());
            rounds(app, 1, 401);
            assertTrue(app.stderr().stream().noneMatch(l -> l.contains("imdsv2-agent")), app.transcript());
        }
    }

    @Test
    void listShowsTheJvmsItCanReadWithTheirMetricsUrlAndNamesTheOthers() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try (ChildJvm withAgent = ChildJvm.withAgent(agentArgs("metrics.prometheus.port=0"))
                     .main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start();
             ChildJvm withoutAgent = ChildJvm.withoutAgent().main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String a = pid(withAgent);
            String b = pid(withoutAgent);
            String notAJvm = Long.toString(sleep.pid());
            String metricsUrl = metricsUrl(withAgent);

            AgentCli list = AgentCli.run("list", a, notAJvm, b, "999999999");

            assertEquals(3, list.exitCode, list.toString());
            String version = AgentCli.agentVersion();
            assertTrue(row(list, a).matches(a + " +" + AgentCli.javaFeatureVersion() + " +" + Pattern.quote(version)
                    + " upgrade +" + Pattern.quote(metricsUrl) + " +" + TARGET), list.toString());
            assertTrue(row(list, b).matches(b + " +" + AgentCli.javaFeatureVersion() + " +- +- +" + TARGET), list.toString());
            assertTrue(row(list, notAJvm).matches(notAJvm + " +\\? +\\(cannot read: see stderr\\) +\\? +sleep"), list.toString());
            assertTrue(row(list, "999999999").contains("(cannot read: see stderr)"), list.toString());
            List<String> errors = list.stderr.lines().toList();
            assertEquals(2, errors.size(), list.toString());
            assertTrue(errors.get(0).startsWith("imdsv2-agent: pid " + notAJvm + " cannot be attached to: it does not handle"
                    + " the attach signal (SIGQUIT)"), list.toString());
            assertTrue(errors.get(1).startsWith("imdsv2-agent: no process with pid 999999999"), list.toString());
            assertTrue(sleep.isAlive(), "no SIGQUIT was sent to the process that is not a JVM");

            AgentCli json = AgentCli.run("list", "--json", a, b, "999999999");
            assertEquals(3, json.exitCode, json.toString());
            Map<String, JsonNode> jvms = byPid(JSON.readTree(json.stdout).get("jvms"));
            assertEquals(3, jvms.size(), json.toString());
            assertEquals(version, jvms.get(a).get("agentVersion").asText());
            assertEquals("upgrade", jvms.get(a).get("mode").asText());
            assertEquals(metricsUrl, jvms.get(a).get("metricsUrl").asText());
            assertEquals(TARGET, jvms.get(a).get("mainClass").asText());
            assertEquals(AgentCli.javaFeatureVersion(), jvms.get(a).get("java").asInt());
            assertTrue(jvms.get(a).get("error").isNull(), json.toString());
            assertTrue(jvms.get(b).get("agentVersion").isNull() && jvms.get(b).get("metricsUrl").isNull(), json.toString());
            assertTrue(jvms.get("999999999").get("error").asText().startsWith("no process with pid 999999999"), json.toString());
            assertTrue(jvms.get("999999999").get("user").isNull() && jvms.get("999999999").get("agentVersion").isNull(), json.toString());
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void statusOfOneJvmAsJson() throws Exception {
        try (ChildJvm app = ChildJvm.withAgent(agentArgs("mode=observe"))
                .main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);
            rounds(app, 2, 401);

            AgentCli status = AgentCli.run("status", "--json", pid);

            assertEquals(1, status.exitCode, status.toString());
            assertEquals("", status.stderr, status.toString());
            JsonNode jvm = JSON.readTree(status.stdout);
            assertEquals(Long.parseLong(pid), jvm.get("pid").asLong());
            assertEquals(TARGET, jvm.get("mainClass").asText());
            assertEquals(AgentCli.agentVersion(), jvm.get("agentVersion").asText());
            assertEquals("observe", jvm.get("mode").asText());
            assertEquals("NOT_READY", jvm.get("verdict").asText());
            assertTrue(!jvm.get("ready").asBoolean(), status.toString());
            assertEquals(1, jvm.get("exitCode").asInt());
            assertTrue(jvm.get("reason").asText().startsWith("2 tokenless requests reached IMDS since "), status.toString());
            assertEquals(2, jvm.get("v1RequestsReachingImds").asLong());
            assertEquals(2, jvm.get("v1RequestsReachingImdsSinceStart").asLong());
            assertTrue(jvm.get("lastV1ReachingImds").asText().matches("at \\S+ from dev\\.imdsv2\\.it\\.apps\\.UrlConnectionClient\\..*"),
                    status.toString());
            assertEquals(2, jvm.get("requestsSeen").asLong());
            JsonNode request = jvm.get("requests").get(0);
            assertEquals("urlconnection", request.get("client").asText());
            assertEquals("passed", request.get("action").asText());
            assertEquals(2, request.get("count").asLong());
            assertEquals(1, jvm.get("callSites").size(), status.toString());
            assertTrue(jvm.get("callSites").get(0).asText().startsWith("dev.imdsv2.it.apps.UrlConnectionClient."), status.toString());
            assertEquals(2, imds.metadataRequests().stream().filter(r -> !r.hasToken()).count(), "both reached IMDS without a token");
        }
    }

    /**
     * The host's gate, run as a user of its own (nobody), so that the test sees exactly its JVMs and not those of
     * the builds that share this machine: READY with two ready JVMs, then held back by a JVM without the agent,
     * one that cannot be read, one not ready yet, and then by its tokenless request that reached IMDS, each named.
     */
    @Test
    void statusAllIsReadyOnlyWhenEveryJvmHasTheAgentAndIsReady() throws Exception {
        Path setpriv = Paths.get("/usr/bin/setpriv");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(setpriv),
                "needs root and setpriv to run the JVMs and the CLI as a user of their own");
        String[] asNobody = {setpriv.toString(), "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
        removeAttachSocketsOfDeadJvms();
        Path shared = readableByEveryone();
        Path agentJar = shared.resolve("imdsv2-agent.jar");
        String classPath = shared.resolve("classes").toString();
        String version = AgentCli.agentVersion();
        List<String> statusAll = new ArrayList<>(List.of(asNobody));
        statusAll.addAll(List.of(ChildJvm.javaExecutable().toString(), "-jar", agentJar.toString(), "status", "all"));
        try (ChildJvm ready1 = nobodys(asNobody, classPath, "-javaagent:" + agentJar + "=" + agentArgs());
             ChildJvm ready2 = nobodys(asNobody, classPath, "-javaagent:" + agentJar + "=" + agentArgs(), "-XX:-UsePerfData")) {
            String a = pid(ready1);
            String c = pid(ready2);
            rounds(ready1, 1, 200);
            rounds(ready2, 1, 200);

            AgentCli bothReady = AgentCli.runCommand(statusAll);

            assertEquals(0, bothReady.exitCode, bothReady.toString());
            List<String> lines = bothReady.stdout.lines().toList();
            assertEquals(3, lines.size(), "the JVM without performance data (" + c + ") is found too: " + bothReady);
            String readyLine = " \\(" + Pattern.quote(TARGET) + "\\): READY: no tokenless request has reached IMDS since \\S+"
                    + " \\(mode upgrade\\); 1 IMDS request since then \\[imdsv2-agent " + Pattern.quote(version) + ", mode upgrade]";
            assertTrue(lines.get(0).matches("pid " + a + readyLine), bothReady.toString());
            assertTrue(lines.get(1).matches("pid " + c + readyLine), bothReady.toString());
            assertEquals("host: READY: all 2 JVMs of user nobody have the agent, and it is ready in each", lines.get(2));

            try (ChildJvm noAgent = nobodys(asNobody, classPath)) {
                String n = pid(noAgent);
                AgentCli withoutAgent = AgentCli.runCommand(statusAll);
                assertEquals(4, withoutAgent.exitCode, withoutAgent.toString());
                assertTrue(withoutAgent.stdout.contains("pid " + n + " (" + TARGET + "): NO AGENT: the agent is not in it,"
                        + " so it has no verdict and is not counted as ready"), withoutAgent.toString());
                assertTrue(withoutAgent.stdout.endsWith("host: NOT READY: 2 of 3 JVMs of user nobody ready; without the agent: pid "
                        + n + "\n"), withoutAgent.toString());

                try (ChildJvm closed = nobodys(asNobody, classPath, "-XX:+DisableAttachMechanism");
                     ChildJvm observe = nobodys(asNobody, classPath, "-javaagent:" + agentJar + "=" + agentArgs("mode=observe"))) {
                    String x = pid(closed);
                    String b = pid(observe);
                    AgentCli unreadable = AgentCli.runCommand(statusAll);
                    assertTrue(unreadable.stdout.contains("pid " + x + " (" + TARGET + "): UNREACHABLE: attach is disabled in pid "
                            + x), unreadable.toString());
                    assertTrue(unreadable.stdout.contains("pid " + b + " (" + TARGET + "): NOT READY YET: no IMDS request since "),
                            unreadable.toString());
                    assertEquals(3, unreadable.exitCode, "one that cannot be read outweighs one not ready yet: " + unreadable);
                    assertTrue(unreadable.stdout.endsWith("; cannot be read: pid " + x + "; without the agent: pid " + n
                            + "; not ready yet: pid " + b + "\n"), unreadable.toString());

                    rounds(observe, 1, 401);
                    AgentCli notReady = AgentCli.runCommand(statusAll);

                    assertEquals(1, notReady.exitCode, notReady.toString());
                    assertTrue(notReady.stdout.lines().anyMatch(l -> l.matches("pid " + b + " \\(" + Pattern.quote(TARGET)
                            + "\\): NOT READY: 1 tokenless request reached IMDS since \\S+ \\(mode observe\\).*\\[imdsv2-agent "
                            + Pattern.quote(version) + ", mode observe]")), notReady.toString());
                    assertTrue(notReady.stdout.endsWith("host: NOT READY: 2 of 5 JVMs of user nobody ready; not ready: pid " + b
                            + "; cannot be read: pid " + x + "; without the agent: pid " + n + "\n"), notReady.toString());

                    List<String> statusAllJson = new ArrayList<>(statusAll);
                    statusAllJson.add("--json");
                    AgentCli json = AgentCli.runCommand(statusAllJson);
                    assertEquals(1, json.exitCode, json.toString());
                    JsonNode host = JSON.readTree(json.stdout);
                    assertEquals("nobody", host.get("user").asText());
                    assertTrue(!host.get("ready").asBoolean() && host.get("exitCode").asInt() == 1, json.toString());
                    assertEquals(2, host.get("verdicts").get("READY").asInt(), json.toString());
                    Map<String, JsonNode> jvms = byPid(host.get("jvms"));
                    assertEquals(Map.of(a, "READY", c, "READY", n, "NO_AGENT", x, "UNREACHABLE", b, "NOT_READY"),
                            verdicts(jvms), json.toString());
                    for (String pid : List.of(n, x, b)) {
                        assertTrue(!jvms.get(pid).get("ready").asBoolean(), json.toString());
                    }
                    assertEquals("nobody", jvms.get(b).get("user").asText());
                    assertEquals(1, jvms.get(b).get("v1RequestsReachingImds").asLong(), json.toString());
                    assertEquals(1, jvms.get(a).get("requestsSeen").asLong(), json.toString());
                    assertTrue(jvms.get(x).get("error").asText().startsWith("attach is disabled in pid " + x), json.toString());
                }
            }
            List<ReceivedRequest> received = imds.metadataRequests();
            assertEquals(2, received.stream().filter(r -> r.hasToken() && r.headers().get(TOKEN_HEADER).size() == 1).count(),
                    "the ready JVMs' requests carried a token: " + received);
            assertEquals(1, received.stream().filter(r -> !r.hasToken()).count(), "the one in observe reached IMDS without: " + received);
        } finally {
            deleteTree(shared);
        }
    }

    /**
     * Root's sockets left by JVMs killed after an attach (other builds on this machine, say) would make a JVM of
     * nobody's with a pid of theirs unreachable (ChildJvm.removeAttachSocketOf).
     */
    private static void removeAttachSocketsOfDeadJvms() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(Paths.get("/tmp"))) {
            files.map(file -> file.getFileName().toString()).filter(name -> name.matches("\\.java_pid\\d+"))
                    .map(name -> name.substring(".java_pid".length()))
                    .filter(pid -> !Files.exists(Paths.get("/proc", pid)))
                    .forEach(pid -> ChildJvm.removeAttachSocketOf(Long.parseLong(pid)));
        }
    }

    private ChildJvm nobodys(String[] asNobody, String classPath, String... jvmOptions) throws IOException {
        return ChildJvm.withoutAgent().launchedBy(asNobody).jvm(jvmOptions).classPath(classPath)
                .main(TARGET, url(INSTANCE_ID_PATH), "urlconnection").start();
    }

    /**
     * The agent jar and the test applications in a folder every user can read: the build's own may be in a home
     * directory that only its owner can enter.
     */
    private static Path readableByEveryone() throws Exception {
        Path dir = Files.createTempDirectory("imdsv2-cli-it", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.copy(ChildJvm.agentJar(), dir.resolve("imdsv2-agent.jar"));
        Path testClasses = Paths.get(AttachTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path apps = testClasses.resolve(AttachTarget.class.getPackageName().replace('.', '/'));
        Path target = dir.resolve("classes").resolve(testClasses.relativize(apps));
        Files.createDirectories(target);
        try (Stream<Path> classes = Files.list(apps)) {
            for (Path file : classes.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void assertUsageError(AgentCli cli, String firstLine) {
        assertEquals(2, cli.exitCode, cli.toString());
        assertEquals(firstLine, cli.stderr.lines().findFirst().orElse(""), cli.toString());
        assertTrue(cli.stderr.contains("Running JVMs") && cli.stderr.contains("status [--json] <pid>"), "then the usage: " + cli);
        assertEquals("", cli.stdout, cli.toString());
    }

    /** The URL of the agent's Prometheus endpoint, as its start line gives it. */
    private static String metricsUrl(ChildJvm app) throws Exception {
        rounds(app, 1, 200);
        String start = app.stderr().stream().filter(l -> l.contains(" started: ")).findFirst().orElse("");
        Matcher url = Pattern.compile("metrics=(http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(start);
        assertTrue(url.find(), app.transcript());
        return url.group(1);
    }

    private static String row(AgentCli list, String pid) {
        return list.stdout.lines().filter(l -> l.startsWith(pid + " ")).findFirst().orElse("no row for " + pid + " in\n" + list);
    }

    private static Map<String, JsonNode> byPid(JsonNode jvms) {
        Map<String, JsonNode> byPid = new HashMap<>();
        jvms.forEach(jvm -> byPid.put(jvm.get("pid").asText(), jvm));
        return byPid;
    }

    private static Map<String, String> verdicts(Map<String, JsonNode> jvms) {
        Map<String, String> verdicts = new HashMap<>();
        jvms.forEach((pid, jvm) -> verdicts.put(pid, jvm.get("verdict").asText()));
        return verdicts;
    }

    private static String pid(ChildJvm app) throws InterruptedException {
        return app.awaitLine("READY ").substring("READY ".length());
    }

    private static void rounds(ChildJvm app, int count, int expectedStatus) throws Exception {
        for (int i = 0; i < count; i++) {
            app.send("round");
            String line = app.awaitLine("RESULT urlconnection ");
            assertEquals(expectedStatus, Integer.parseInt(line.split(" ")[3]), app.transcript());
        }
    }
}
