package dev.imdsv2.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** The parts of the CLI that need no second JVM; the attach paths are in the integration tests (AttachIT). */
class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aBadArgumentAttachesNothing() {
        assertEquals(2, run("attach", "all", "mode=obsrve", "token.ttl=300"));
        assertEquals("imdsv2-agent: nothing attached: imdsv2.mode=obsrve (agent argument) is not valid:"
                + " expected one of off, observe, upgrade, enforce\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownKeyAttachesNothing() {
        assertEquals(2, run("attach", "123", "colour=blue"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown key 'colour'"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPidMustBeANumber() {
        assertUsageError("imdsv2-agent: 'my-service' is not a process id (pid)", run("status", "my-service"));
    }

    @Test
    void usageGoesToStdoutWhenAsked() {
        assertEquals(0, run("--help"));
        assertTrue(stdout().contains("attach <pid>|all [key=value,...]"), stdout());
        assertEquals("", stderr());
    }

    @Test
    void noArgumentsNamesTheErrorThenUsageAndExits2() {
        assertUsageError("imdsv2-agent: no command given", run());
    }

    @Test
    void anUnknownCommandIsNamed() {
        assertUsageError("imdsv2-agent: unknown command 'detach'", run("detach", "1"));
    }

    @Test
    void aMissingPidIsNamed() {
        assertUsageError("imdsv2-agent: attach needs a pid, or all", run("attach"));
        err.reset();
        assertUsageError("imdsv2-agent: status needs a pid, or all", run("status"));
        err.reset();
        assertUsageError("imdsv2-agent: status needs a pid, or all", run("status", "--json"));
    }

    @Test
    void statusTakesOnePid() {
        assertUsageError("imdsv2-agent: status takes one pid, or all; got [12, 13]", run("status", "12", "13"));
    }

    @Test
    void anUnknownOptionIsNamed() {
        assertUsageError("imdsv2-agent: unknown option '--jsn' for list", run("list", "--jsn"));
    }

    @Test
    void aWordThatIsNotASettingGetsOneMessage() {
        assertEquals(2, run("attach", "123", "nonsense"));
        assertEquals("imdsv2-agent: nothing attached: agent argument item 'nonsense' is not key=value\n", stderr());
    }

    private void assertUsageError(String firstLine, int exitCode) {
        assertEquals(2, exitCode, stderr());
        assertEquals(firstLine, stderr().lines().findFirst().orElse(""));
        assertTrue(stderr().contains("status [--json] <pid>"), "then the usage: " + stderr());
        assertEquals("", stdout());
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countsAreSummedOverCategoriesPerClientVersionAndAction() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("client=urlconnection,version=v1,action=upgraded,category=credentials", 2L);
        counts.put("client=urlconnection,version=v1,action=passed,category=identity", 1L);
        counts.put("client=urlconnection,version=v1,action=upgraded,category=placement", 3L);

        Map<String, Long> sums = AgentStatus.byClientVersionAction(counts);

        assertEquals(Map.of("client=urlconnection version=v1 action=upgraded", 5L,
                "client=urlconnection version=v1 action=passed", 1L), sums);
    }

    @Test
    void javaVersionsOldAndNew() {
        assertEquals(8, Jvms.javaFeatureVersion(spec("1.8")));
        assertEquals(7, Jvms.javaFeatureVersion(spec("1.7")));
        assertEquals(25, Jvms.javaFeatureVersion(spec("25")));
        assertEquals(0, Jvms.javaFeatureVersion(new Properties()));
    }

    private static Properties spec(String version) {
        Properties p = new Properties();
        p.setProperty("java.specification.version", version);
        return p;
    }

    @Test
    void aStaleAttachSocketOfAnotherUserIsNamedAsSuchNotAsAnotherUsersJvm() {
        String own = Long.toString(ProcessHandle.current().pid());
        CliException failure = Jvms.attachFailure(own, new LocalProcess(own), new java.io.IOException("well-known file"
                + " /tmp/.java_pid" + own + " is not secure: file should be owned by the current user (which is 65534) but is owned by 0"));
        assertEquals(ExitCodes.CANNOT_ATTACH, failure.exitCode());
        assertTrue(failure.getMessage().startsWith("pid " + own + " cannot be attached to: its attach socket (.java_pid" + own
                + " in its temporary folder) belongs to another user"), failure.getMessage());
    }
}
