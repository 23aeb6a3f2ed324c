package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.AttachTarget;
import dev.imdsv2.simulator.ReceivedRequest;

/** {@code java -jar imdsv2-agent.jar list|attach|status} against real running JVMs, with the JDK under test. */
class AttachIT extends SimulatorTest {
    private static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    private static final String DYNAMIC_AGENT_WARNING = "WARNING: A Java agent has been loaded dynamically";

    @Test
    @ChildJavaAtLeast(value = 11, because = "java.net.http.HttpClient")
    void aClientWhoseClassesWereLoadedBeforeTheAttachIsUpgradedToo() throws Exception {
        try (ChildJvm app = ChildJvm.withoutAgent().main(AttachTarget.class, url(INSTANCE_ID_PATH), "jdk-httpclient").start()) {
            String pid = pid(app);
            app.send("loop 50");
            for (int i = 0; i < 3; i++) {
                assertEquals(401, status(app.awaitLine("RESULT jdk-httpclient ")), app.transcript());
            }

            AgentCli attach = AgentCli.run("attach", pid, agentArgs());
            long attached = System.currentTimeMillis();
            assertEquals(0, attach.exitCode, attach.toString());
            String line;
            while (status(line = app.awaitLine("RESULT jdk-httpclient ")) != 200) {
                assertEquals(401, status(line), app.transcript());
            }
            long firstSuccess = Long.parseLong(line.split(" ")[2]);
            app.send("stop");
            app.awaitLine("STOPPED");
            assertTrue(firstSuccess - attached < 2000, "first 200 came " + (firstSuccess - attached) + " ms after the attach");
            assertEquals(1, imds.tokenPutCount());
        }
    }

    @Test
    void failingV1CallsSucceedWithin2SecondsOfAttachAndListShowsTheAgent() throws Exception {
        try (ChildJvm app = ChildJvm.withoutAgent().main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);
            app.send("loop 50");
            for (int i = 0; i < 3; i++) {
                assertEquals(401, status(app.awaitLine("RESULT urlconnection ")), app.transcript());
            }

            AgentCli attach = AgentCli.run("attach", pid, agentArgs());
            long attached = System.currentTimeMillis();

            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.stdout.startsWith("pid " + pid + " (" + AttachTarget.class.getName() + "): loaded imdsv2-agent with "
                    + agentArgs() + "; mode now upgrade"), attach.toString());
            String line;
            while (status(line = app.awaitLine("RESULT urlconnection ")) != 200) {
                assertEquals(401, status(line), app.transcript());
            }
            long firstSuccess = Long.parseLong(line.split(" ")[2]);
            assertTrue(firstSuccess - attached < 2000, "first 200 came " + (firstSuccess - attached) + " ms after the attach");

            // Given the pid, list touches no other JVM: other builds and benchmarks may share this machine.
            AgentCli list = AgentCli.run("list", pid);
            app.send("stop");
            app.awaitLine("STOPPED");

            assertEquals(0, list.exitCode, list.toString());
            String row = list.stdout.lines().filter(l -> l.startsWith(pid + " ")).findFirst().orElse("none");
            assertTrue(row.matches(pid + " +" + AgentCli.javaFeatureVersion() + " +" + AgentCli.agentVersion() + " upgrade +- +"
                    + AttachTarget.class.getName()), list.toString());
            List<String> after = resultsFrom(app, line);
            assertTrue(after.stream().allMatch(r -> r.startsWith("200 ")), "every request after the first 200: " + after);
            List<ReceivedRequest> upgraded = imds.metadataRequests().stream().filter(ReceivedRequest::hasToken).toList();
            assertEquals(after.size(), upgraded.size(), "each 200 is a request the agent gave a token");
            assertEquals(1, imds.tokenPutCount());
            assertDynamicAgentNote(attach, app, true);
        }
    }

    @Test
    void statusBeforeAndAfterRequestsAndReattachingSwitchesTheModeWithoutInstrumentingTwice() throws Exception {
        // The flag (Java 9+) keeps Java 21+ from warning about the attach; Java 8 neither warns nor knows it.
        ChildJvm.Spec target = AgentCli.javaFeatureVersion() >= 9 ? ChildJvm.withoutAgent().jvm("-XX:+EnableDynamicAgentLoading")
                : ChildJvm.withoutAgent();
        try (ChildJvm app = target.main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);
            String jvm = "pid " + pid + " (" + AttachTarget.class.getName() + ")";

            AgentCli noAgent = AgentCli.run("status", pid);
            assertEquals(4, noAgent.exitCode, noAgent.toString());
            assertTrue(noAgent.stderr.contains("the agent is not in " + jvm + ": no verdict"), noAgent.toString());

            AgentCli attach = AgentCli.run("attach", pid, agentArgs());
            assertEquals(0, attach.exitCode, attach.toString());
            assertDynamicAgentNote(attach, app, false);

            AgentCli nothingYet = AgentCli.run("status", pid);
            assertEquals(5, nothingYet.exitCode, "no IMDS request yet, and imdsv2.ready.after not over: no verdict\n" + nothingYet);
            assertTrue(nothingYet.stdout.contains("requests:   none seen yet"), nothingYet.toString());
            assertTrue(nothingYet.stdout.contains("verdict:    NOT READY YET: no IMDS request since"), nothingYet.toString());

            rounds(app, 3, 200);
            AgentCli upgraded = AgentCli.run("status", pid);
            assertEquals(0, upgraded.exitCode, upgraded.toString());
            assertTrue(upgraded.stdout.contains("mode:       upgrade"), upgraded.toString());
            assertTrue(upgraded.stdout.contains("token:      cached, expires in "), upgraded.toString());
            assertTrue(upgraded.stdout.matches("(?s).*client=urlconnection version=v1 action=upgraded +3\n.*"), upgraded.toString());
            assertTrue(upgraded.stdout.contains("v1 call sites: 1\n  dev.imdsv2.it.apps.UrlConnectionClient."), upgraded.toString());
            assertTrue(upgraded.stdout.contains("verdict:    READY: no tokenless request has reached IMDS"), upgraded.toString());

            AgentCli observe = AgentCli.run("attach", pid, "mode=observe");
            assertEquals(0, observe.exitCode, observe.toString());
            assertEquals(jvm + ": reconfigured the imdsv2-agent " + AgentCli.agentVersion()
                    + " already there (mode was upgrade) with mode=observe; mode now observe", observe.stdout.strip());
            rounds(app, 2, 401);

            AgentCli upgradeAgain = AgentCli.run("attach", pid, "mode=upgrade");
            assertEquals(0, upgradeAgain.exitCode, upgradeAgain.toString());
            rounds(app, 1, 200);

            // Ready again: the verdict is about the phase since the switch back; observe's two passes stay history.
            AgentCli readyAgain = AgentCli.run("status", pid);
            assertEquals(0, readyAgain.exitCode, readyAgain.toString());
            assertTrue(readyAgain.stdout.matches("(?s).*client=urlconnection version=v1 action=upgraded +4\n.*"), "not doubled: " + readyAgain);
            assertTrue(readyAgain.stdout.matches("(?s).*client=urlconnection version=v1 action=passed +2\n.*"), readyAgain.toString());
            assertTrue(readyAgain.stdout.contains("verdict:    READY: no tokenless request has reached IMDS since "), readyAgain.toString());

            List<ReceivedRequest> received = imds.metadataRequests();
            assertEquals(6, received.size());
            assertEquals(List.of(true, true, true, false, false, true), received.stream().map(ReceivedRequest::hasToken).toList());
            assertTrue(received.stream().filter(ReceivedRequest::hasToken).allMatch(r -> r.headers().get(TOKEN_HEADER).size() == 1),
                    "exactly one token header per request");
            assertEquals(1, imds.tokenPutCount(), "re-attaching keeps the agent, and its token");
            assertEquals(1, app.stderr().stream().filter(l -> l.contains(" started: ")).count(), app.transcript());
            assertEquals(2, app.stderr().stream().filter(l -> l.contains(" reconfigured: ")).count(), app.transcript());
        }
    }

    /**
     * The CLI on another JDK than its target's: the build JDK's java (17) against the JDK under test, so on Java 8
     * a Java 17 CLI attaching to a Java 8 JVM.
     */
    @Test
    void theCliOnTheBuildJdkListsAttachesAndReportsOnTheJdkUnderTest() throws Exception {
        Path buildJdk = Paths.get(System.getProperty("java.home"));
        try (ChildJvm app = ChildJvm.withoutAgent().main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);
            String java = Integer.toString(AgentCli.javaFeatureVersion());

            AgentCli before = AgentCli.runOn(buildJdk, "list", pid);
            assertEquals(0, before.exitCode, before.toString());
            assertTrue(row(before, pid).matches(pid + " +" + java + " +- +- +" + AttachTarget.class.getName()), before.toString());

            AgentCli attach = AgentCli.runOn(buildJdk, "attach", pid, agentArgs());
            assertEquals(0, attach.exitCode, attach.toString());
            rounds(app, 2, 200);

            AgentCli status = AgentCli.runOn(buildJdk, "status", pid);
            assertEquals(0, status.exitCode, status.toString());
            assertTrue(status.stdout.matches("(?s).*client=urlconnection version=v1 action=upgraded +2\n.*"), status.toString());
            assertTrue(status.stdout.contains("verdict:    READY"), status.toString());

            AgentCli after = AgentCli.runOn(buildJdk, "list", pid);
            assertEquals(0, after.exitCode, after.toString());
            assertTrue(row(after, pid).matches(pid + " +" + java + " +" + AgentCli.agentVersion() + " upgrade +- +" + AttachTarget.class.getName()),
                    after.toString());
            assertEquals(2, imds.metadataRequests().stream().filter(ReceivedRequest::hasToken).count(), imds.received().toString());
        }
    }

    private static String row(AgentCli list, String pid) {
        return list.stdout.lines().filter(l -> l.startsWith(pid + " ")).findFirst().orElse("none");
    }

    @Test
    void noSuchPid() throws Exception {
        AgentCli status = AgentCli.run("status", "999999999");

        assertFailure(status, 3, "imdsv2-agent: no process with pid 999999999");
    }

    @Test
    void attachDisabledInTheTarget() throws Exception {
        try (ChildJvm app = ChildJvm.withoutAgent().jvm("-XX:+DisableAttachMechanism")
                .main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);

            AgentCli attach = AgentCli.run("attach", pid);

            assertFailure(attach, 3, "imdsv2-agent: attach is disabled in pid " + pid + " (it was started with -XX:+DisableAttachMechanism)");
        }
    }

    @Test
    @ChildJavaAtLeast(value = 9, because = "-XX:-EnableDynamicAgentLoading")
    void dynamicAgentLoadingForbiddenInTheTarget() throws Exception {
        try (ChildJvm app = ChildJvm.withoutAgent().jvm("-XX:-EnableDynamicAgentLoading")
                .main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);

            AgentCli attach = AgentCli.run("attach", pid);

            assertFailure(attach, 3, "imdsv2-agent: pid " + pid + " (" + AttachTarget.class.getName()
                    + ") was started with -XX:-EnableDynamicAgentLoading, which forbids loading agents at run time");
            assertTrue(app.stderr().stream().noneMatch(l -> l.contains("imdsv2-agent")), app.transcript());
        }
    }

    @Test
    void anotherUsersJvm() throws Exception {
        Path setpriv = Paths.get("/usr/bin/setpriv");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(setpriv),
                "needs root and setpriv to run the CLI as another user");
        try (ChildJvm app = ChildJvm.withoutAgent().main(AttachTarget.class, url(INSTANCE_ID_PATH), "urlconnection").start()) {
            String pid = pid(app);

            AgentCli attach = AgentCli.run(List.of(setpriv.toString(), "--reuid=nobody", "--regid=nogroup", "--clear-groups"),
                    List.of("-XX:-UsePerfData"), "attach", pid);

            assertFailure(attach, 3, "imdsv2-agent: pid " + pid + " belongs to user root, not to nobody");
            assertTrue(app.stderr().stream().noneMatch(l -> l.contains("imdsv2-agent")), app.transcript());
        }
    }

    @Test
    void aJvmDoesNotAttachToItself() throws Exception {
        // exec keeps the shell's pid, so the CLI is given its own pid
        AgentCli self = AgentCli.runCommand(List.of("/bin/sh", "-c", "exec \"$0\" -jar \"$1\" attach $$",
                ChildJvm.javaExecutable().toString(), ChildJvm.agentJar().toString()));

        assertFailure(self, 3, "is this command's own JVM; a JVM does not attach to itself");
    }

    @Test
    void aProcessThatIsNotAJvmIsLeftAlone() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            AgentCli attach = AgentCli.run("attach", Long.toString(sleep.pid()));

            assertFailure(attach, 3, "does not handle the attach signal (SIGQUIT), so it is not a Java process");
            assertTrue(sleep.isAlive(), "no SIGQUIT was sent, which would have killed it");
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    @ChildJavaAtLeast(value = 9, because = "--limit-modules")
    void aRuntimeWithoutTheAttachApi() throws Exception {
        // What a trimmed (jlink) runtime, or a Java 8 JRE without tools.jar, looks like to the CLI
        AgentCli list = AgentCli.run(List.of(), List.of("--limit-modules", "java.base,java.management"), "list");

        assertFailure(list, 3, "imdsv2-agent: the attach API is not available: this Java runtime");
    }

    private static void assertFailure(AgentCli cli, int exitCode, String message) {
        assertEquals(exitCode, cli.exitCode, cli.toString());
        assertTrue(cli.stderr.contains(message), cli.toString());
        assertEquals(1, cli.stderr.lines().count(), "one line, no stack trace: " + cli);
    }

    /** On 21+, attaching makes the target print a warning, which the attach output explains, unless the flag hides it. */
    private static void assertDynamicAgentNote(AgentCli attach, ChildJvm app, boolean expected) throws Exception {
        boolean warns = expected && AgentCli.javaFeatureVersion() >= 21;
        assertEquals(warns, attach.stdout.contains("note: ") && attach.stdout.contains("-XX:+EnableDynamicAgentLoading"), attach.toString());
        assertEquals(warns, app.stderr().stream().anyMatch(l -> l.startsWith(DYNAMIC_AGENT_WARNING)), app.transcript());
    }

    private static String pid(ChildJvm app) throws InterruptedException {
        return app.awaitLine("READY ").substring("READY ".length());
    }

    /** The status of a {@code RESULT client epochMillis status body} line. */
    private static int status(String resultLine) {
        String[] words = resultLine.split(" ");
        return words[3].equals("ERROR") ? -1 : Integer.parseInt(words[3]);
    }

    private static void rounds(ChildJvm app, int count, int expectedStatus) throws Exception {
        for (int i = 0; i < count; i++) {
            app.send("round");
            String line = app.awaitLine("RESULT urlconnection ");
            assertEquals(expectedStatus, status(line), app.transcript());
        }
    }

    /** "status body" of every result line from {@code first} on. */
    private static List<String> resultsFrom(ChildJvm app, String first) {
        List<String> lines = app.stdout();
        List<String> results = new ArrayList<>();
        for (String l : lines.subList(lines.indexOf(first), lines.size())) {
            if (l.startsWith("RESULT urlconnection ")) {
                String[] words = l.split(" ", 4);
                results.add(words[3]);
            }
        }
        return results;
    }
}
