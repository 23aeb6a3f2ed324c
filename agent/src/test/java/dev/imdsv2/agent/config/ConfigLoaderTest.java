package dev.imdsv2.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static Properties props(String... pairs) {
        Properties p = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            p.setProperty(pairs[i], pairs[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsFollowTheDesign() {
        AgentConfig c = ConfigLoader.load(null, new Properties(), Map.of());
        assertEquals(Mode.UPGRADE, c.mode());
        assertEquals("[http://169.254.169.254, http://[fd00:ec2:0:0:0:0:0:254]]", c.endpoints().toString());
        assertEquals(21600, c.tokenTtlSeconds());
        assertEquals(1000, c.tokenTimeoutMillis());
        assertEquals(30, c.tokenRetryAfterSeconds());
        assertTrue(c.upgradeCallers().allowsAll());
        assertTrue(c.upgradePaths().allowsAll());
        assertNull(c.prometheusPort());
        assertEquals("127.0.0.1", c.prometheusHost());
        assertTrue(c.applicationRegistry());
        assertNull(c.reportFile());
        assertEquals("info", c.logLevel());
        assertTrue(c.instrumentationEnabled("okhttp"));
        assertEquals(List.of(), c.problems());
    }

    @Test
    void precedenceIsArgumentThenPropertyThenEnvironmentThenFileThenDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("imdsv2.properties");
        Files.writeString(file, "imdsv2.mode=observe\nimdsv2.token.ttl=100\nimdsv2.token.timeout=200\ntoken.retry-after=7\nimdsv2.log.level=warn\n");
        Map<String, String> env = Map.of("IMDSV2_CONFIG_FILE", file.toString(), "IMDSV2_TOKEN_TTL", "101",
                "IMDSV2_TOKEN_TIMEOUT", "201", "IMDSV2_TOKEN_RETRY_AFTER", "8");
        Properties sys = props("imdsv2.token.ttl", "102", "imdsv2.token.timeout", "202");

        AgentConfig c = ConfigLoader.load("token.ttl=103", sys, env);

        assertEquals(103, c.tokenTtlSeconds(), "agent argument wins");
        assertEquals(202, c.tokenTimeoutMillis(), "then the system property");
        assertEquals(8, c.tokenRetryAfterSeconds(), "then the environment (dashes become underscores)");
        assertEquals(Mode.OBSERVE, c.mode(), "then the file");
        assertEquals("warn", c.logLevel());
        assertEquals(List.of(), c.problems());
    }

    @Test
    void listsUseSemicolonsInTheArgumentAndCommasElsewhere() {
        AgentConfig fromArgs = ConfigLoader.load("endpoints=http://127.0.0.1:1338;http://[::1]:1339,upgrade.paths=/latest/meta-data/placement/;/latest/user-data",
                new Properties(), Map.of());
        assertEquals("[http://127.0.0.1:1338, http://[0:0:0:0:0:0:0:1]:1339]", fromArgs.endpoints().toString());
        assertTrue(fromArgs.upgradePaths().allows("/latest/user-data"));
        assertFalse(fromArgs.upgradePaths().allows("/latest/meta-data/iam/"));

        AgentConfig fromProperty = ConfigLoader.load(null, props("imdsv2.upgrade.callers", "com.amazonaws.,*.com.amazonaws."), Map.of());
        assertTrue(fromProperty.upgradeCallers().allows("com.amazonaws.util.EC2MetadataUtils"));
        assertTrue(fromProperty.upgradeCallers().allows("shaded.vendor.com.amazonaws.util.EC2MetadataUtils"));
        assertFalse(fromProperty.upgradeCallers().allows("com.example.Ssrf"));
    }

    @Test
    void eachBadValueIsOneProblemAndTheDefault() {
        AgentConfig c = ConfigLoader.load("mode=bogus,token.ttl=0,endpoints=::garbage,token.timeout=abc,log.level=loud,colour=blue,novalue",
                props("imdsv2.metrics.prometheus.port", "99999", "imdsv2.nonsense", "1"), Map.of("IMDSV2_WHATEVER", "x"));

        assertEquals(Mode.UPGRADE, c.mode());
        assertEquals(21600, c.tokenTtlSeconds());
        assertEquals(2, c.endpoints().size());
        assertEquals(1000, c.tokenTimeoutMillis());
        assertEquals("info", c.logLevel());
        assertNull(c.prometheusPort());
        List<String> problems = c.problems();
        assertEquals(10, problems.size(), String.join("\n", problems));
        assertTrue(problems.contains("imdsv2.mode=bogus (agent argument) is not valid: expected one of off, observe, upgrade, enforce; using the default upgrade"), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("imdsv2.endpoints=::garbage (agent argument) is not valid")), problems.toString());
        assertTrue(problems.contains("unknown key 'colour' in the agent argument; ignored"));
        assertTrue(problems.contains("agent argument item 'novalue' is not key=value; ignored"));
        assertTrue(problems.contains("unknown system property 'imdsv2.nonsense'; ignored"));
        assertTrue(problems.contains("unknown environment variable 'IMDSV2_WHATEVER'; ignored"));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("imdsv2.metrics.prometheus.port=99999 (system property)")));
    }

    @Test
    void readyAfterTakesSecondsOrAUnit() {
        assertEquals(600, ConfigLoader.load(null, new Properties(), Map.of()).readyAfterSeconds(), "10m by default");
        assertEquals(90, ConfigLoader.load("ready.after=90", new Properties(), Map.of()).readyAfterSeconds());
        assertEquals(90, ConfigLoader.load("ready.after=90s", new Properties(), Map.of()).readyAfterSeconds());
        assertEquals(300, ConfigLoader.load("ready.after=5m", new Properties(), Map.of()).readyAfterSeconds());
        assertEquals(7200, ConfigLoader.load("ready.after=2H", new Properties(), Map.of()).readyAfterSeconds());
        assertEquals(0, ConfigLoader.load("ready.after=0", new Properties(), Map.of()).readyAfterSeconds());
        for (String bad : new String[] {"-1m", "soon", "8000h", "m"}) {
            AgentConfig c = ConfigLoader.load("ready.after=" + bad, new Properties(), Map.of());
            assertEquals(600, c.readyAfterSeconds(), bad);
            assertEquals(1, c.problems().size(), bad);
            assertTrue(c.problems().get(0).contains("ready.after"), c.problems().toString());
        }
    }

    @Test
    void anUnreadableConfigFileIsOneProblem() {
        AgentConfig c = ConfigLoader.load("config.file=/nonexistent/imdsv2.properties", new Properties(), Map.of());
        assertEquals(1, c.problems().size());
        assertTrue(c.problems().get(0).startsWith("cannot read the configuration file '/nonexistent/imdsv2.properties'"));
    }

    @Test
    void instrumentationsCanBeSwitchedOffOneByOne() {
        AgentConfig c = ConfigLoader.load("instrumentation.urlconnection.enabled=false", new Properties(),
                Map.of("IMDSV2_INSTRUMENTATION_JDK_HTTPCLIENT_ENABLED", "false"));
        assertFalse(c.instrumentationEnabled("urlconnection"));
        assertFalse(c.instrumentationEnabled("jdk-httpclient"));
        assertTrue(c.instrumentationEnabled("okhttp"));
        assertEquals(List.of(), c.problems());
    }

    @Test
    void reattachArgumentsLayerOverTheFirstOnes() {
        AgentConfig first = ConfigLoader.load("mode=upgrade,token.ttl=60", new Properties(), Map.of());
        String merged = ConfigLoader.mergeArguments(first.agentArguments(), "mode=observe");
        AgentConfig second = ConfigLoader.load(merged, new Properties(), Map.of());
        assertEquals(Mode.OBSERVE, second.mode());
        assertEquals(60, second.tokenTtlSeconds());
    }

    @Test
    void aConfigurationFileThatIsNotOneIsOneProblemWithNothingOfItsBytes(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.properties");
        Files.writeString(big, "imdsv2.mode=observe\n" + "#".repeat(ConfigLoader.MAX_FILE_BYTES));
        Path binary = dir.resolve("binary.properties");
        Files.write(binary, new byte[] {'m', 'o', 'd', 'e', 0, 1, 2, '=', 'x', (byte) 0x9b, '\n'});
        Path unknown = dir.resolve("unknown.properties");
        Files.write(unknown, "imdsv2.m\u00f6de\u007f=observe\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(dir.toString(), "not a regular file");
        expected.put("/dev/zero", "not a regular file");
        expected.put(big.toString(), "larger than 64 KiB");
        expected.put(binary.toString(), "not a text properties file");
        expected.put(unknown.toString(), "unknown key 'imdsv2.m?de?'");
        for (java.util.Map.Entry<String, String> file : expected.entrySet()) {
            AgentConfig c = ConfigLoader.load("config.file=" + file.getKey(), new Properties(), Map.of());
            assertEquals(1, c.problems().size(), c.problems().toString());
            assertTrue(c.problems().get(0).contains(file.getValue()), c.problems().get(0));
            assertEquals(Mode.UPGRADE, c.mode(), "nothing of it is used");
        }
    }

    @Test
    void aBadValueIsShownPrintableAndShort() {
        AgentConfig c = ConfigLoader.load(null, props("imdsv2.mode", "\u001b[2J" + "x".repeat(1000)), Map.of());
        String problem = c.problems().get(0);
        assertTrue(problem.startsWith("imdsv2.mode=?[2Jxxx"), problem);
        assertTrue(problem.length() < 600, problem);
        assertFalse(problem.contains("\u001b"));
    }
}
