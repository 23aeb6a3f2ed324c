package dev.imdsv2.agent.clients;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/** A failure inside woven advice reaches the agent's failure count and its log, once, through the real weaving path. */
class AdviceFailureTest {
    private static final String TARGET = "example.app.AdviceTarget";

    /** A client instrumentation like the real ones, whose advice throws. */
    private static final class FailingInstrumentation implements ClientInstrumentation {
        @Override
        public String client() {
            return "failing";
        }

        @Override
        public List<String> targetClasses() {
            return Collections.singletonList(TARGET);
        }

        @Override
        public void advise(AdvicePlan plan) {
            plan.advise(TARGET, named("call"), FailingAdvice.class.getName());
        }
    }

    /** Defines the woven class apart from the test's own copy, delegating everything else to the test's loader. */
    private static final class WovenLoader extends ClassLoader {
        WovenLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(byte[] classfile) {
            return defineClass(TARGET, classfile, 0, classfile.length);
        }
    }

    /** The third-party clients' transformer with only {@link FailingInstrumentation}. */
    private static ThirdPartyClients failingClient() {
        AgentConfig config = ConfigLoader.load("mode=observe", new Properties(), Collections.<String, String>emptyMap());
        return new ThirdPartyClients(Arrays.<ClientInstrumentation>asList(new FailingInstrumentation()),
                new DecisionPath(config, new TokenManager(config, new TokenFetchStats()), new RequestCounters(new Readiness("upgrade", 0, 0)),
                        new CallSites(new Readiness("upgrade", 0, 0)), () -> { }), null);
    }

    private static byte[] targetClassFile() throws Exception {
        try (InputStream in = AdviceFailureTest.class.getClassLoader().getResourceAsStream(TARGET.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** What the agent logged (to stderr) while {@code action} ran. */
    private static String stderrOf(ThrowingRunnable action) throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, "UTF-8"));
        try {
            action.run();
        } finally {
            System.setErr(stderr);
        }
        return new String(captured.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void aFailingAdviceIsCountedEveryTimeAndLoggedOnceWhileTheMethodGoesOn() throws Exception {
        ThirdPartyClients clients = failingClient();
        byte[] original = targetClassFile();
        WovenLoader loader = new WovenLoader(getClass().getClassLoader());
        byte[] woven = clients.transform(loader, TARGET.replace('.', '/'), null, null, original);
        assertNotNull(woven, "the advice was woven in");
        Object target = loader.define(woven).getConstructor().newInstance();

        long before = AgentLog.internalFailures();
        String log = stderrOf(() -> {
            for (int i = 0; i < 3; i++) {
                assertEquals("the method's own answer", target.getClass().getMethod("call").invoke(target));
            }
        });

        assertEquals(3, AgentLog.internalFailures() - before, "counted every time");
        List<String> lines = Arrays.asList(log.trim().split("\n"));
        assertEquals(1, lines.size(), "logged once: " + log);
        assertEquals(true, lines.get(0).contains("WARN internal failure in client advice at ")
                && lines.get(0).contains("IllegalStateException: an advice failed"), log);
    }

    @Test
    void aClientWhoseLoaderDoesNotReachTheAgentIsLeftAsItIsWithOneWarningAndNoFailure() throws Exception {
        ThirdPartyClients clients = failingClient();
        byte[] original = targetClassFile();
        // an isolated plug-in loader: it delegates to the boot loader only, so the agent's classes are out of its reach
        ClassLoader isolated = new WovenLoader(null);

        long before = AgentLog.internalFailures();
        String log = stderrOf(() -> {
            for (int i = 0; i < 2; i++) {
                assertEquals(null, clients.transform(isolated, TARGET.replace('.', '/'), null, null, original), "left as it is");
            }
            assertEquals(null, clients.transform(null, TARGET.replace('.', '/'), null, null, original), "the boot loader's too");
        });

        assertEquals(0, AgentLog.internalFailures() - before, "no failure of the agent's");
        List<String> lines = Arrays.asList(log.trim().split("\n"));
        assertEquals(2, lines.size(), "one line per loader: " + log);
        assertEquals(true, lines.get(0).contains("WARN " + TARGET + " is left as it is: its class loader ")
                && lines.get(0).contains("does not reach the agent's classes"), log);
    }
}
