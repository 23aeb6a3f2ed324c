package dev.imdsv2.agent.clients;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/**
 * What {@link AdviceWeaver} does to a class, through the real path ({@link ThirdPartyClients#transform}): the woven
 * class is defined (so the JVM's verifier accepts it) in a loader of its own, where the advice classes are defined
 * too although the parent loader has them, and each kind of advice acts as {@link Hook} says.
 */
class AdviceWeaverTest {
    private static final String TARGET = "example.app.WovenTarget";
    private static final String ADVICE = WeavingTestAdvice.class.getName() + "$";
    private static Class<?> woven;
    private static WovenLoader loader;

    /** The advice of each method of the target, declared as a client's. */
    private static final class TestClient implements ClientInstrumentation {
        @Override
        public String client() {
            return "test";
        }

        @Override
        public List<String> targetClasses() {
            return Collections.singletonList(TARGET);
        }

        @Override
        public void advise(AdvicePlan plan) {
            plan.advise(TARGET, named("greet"), ADVICE + "Greet")
                    .advise(TARGET, named("isEven"), ADVICE + "IsEven")
                    .advise(TARGET, named("twice"), ADVICE + "Twice")
                    .advise(TARGET, named("countDown"), ADVICE + "CountDown")
                    .advise(TARGET, named("fail"), ADVICE + "Fail")
                    .advise(TARGET, named("send"), ADVICE + "Send");
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

        Class<?> loaded(String name) {
            return findLoadedClass(name);
        }
    }

    @BeforeAll
    static void weave() throws Exception {
        AgentConfig config = ConfigLoader.load("mode=observe", new Properties(), Collections.<String, String>emptyMap());
        ThirdPartyClients clients = new ThirdPartyClients(Arrays.<ClientInstrumentation>asList(new TestClient()),
                new DecisionPath(config, new TokenManager(config, new TokenFetchStats()), new RequestCounters(new Readiness("upgrade", 0, 0)), new CallSites(new Readiness("upgrade", 0, 0)),
                        () -> { }), null);
        loader = new WovenLoader(AdviceWeaverTest.class.getClassLoader());
        byte[] classfile = clients.transform(loader, TARGET.replace('.', '/'), null, null, original());
        assertNotNull(classfile, "the advice was woven in");
        woven = loader.define(classfile);
    }

    @BeforeEach
    void forget() {
        WeavingTestAdvice.SEEN.clear();
    }

    @Test
    void theAdviceClassesAreDefinedIntoTheLoaderOfTheWovenClass() {
        Class<?> defined = loader.loaded(ADVICE + "Greet");
        assertNotNull(defined);
        assertEquals(loader, defined.getClassLoader());
        assertNotSame(WeavingTestAdvice.Greet.class, defined);
    }

    @Test
    void anEnterAdviceReplacesAnArgumentAndAnExitAdviceTheResult() throws Exception {
        assertEquals("hello dear Ann from WovenTarget", call("greet", "Ann"));
    }

    @Test
    void primitivesGoInAndComeBack() throws Exception {
        assertEquals(false, call("isEven", 4));
        assertEquals(Arrays.asList("isEven 4 true"), WeavingTestAdvice.SEEN);
    }

    @Test
    void aStaticMethodGivesItsTwoSlotArgumentAndNullForAnOptionalOneItLacks() throws Exception {
        Method twice = woven.getMethod("twice", long.class, String.class);
        assertEquals(42L, twice.invoke(null, 21L, "ms"));
        assertEquals(Arrays.asList("twice 21 ms null"), WeavingTestAdvice.SEEN);
    }

    @Test
    void skipOnReturnsTheDefaultAndStillRunsTheExitAdvice() throws Exception {
        assertEquals(0, call("countDown", 3));
        assertEquals(0, call("countDown", -5));
        assertEquals(Arrays.asList("countDown 0", "countDown 0"), WeavingTestAdvice.SEEN);
    }

    @Test
    void anExitAdviceOnThrowableRunsOnEveryExitAndTheThrowableGoesOn() throws Exception {
        assertEquals("nothing to fail with", call("fail", ""));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class, () -> call("fail", "broken"));
        assertEquals(IOException.class, thrown.getCause().getClass());
        assertEquals("broken", thrown.getCause().getMessage());
        assertEquals(Arrays.asList("fail exit", "fail exit"), WeavingTestAdvice.SEEN);
    }

    @Test
    void whatAnAdviceThrowsOnPurposeIsWhatTheMethodThrows() throws Exception {
        assertEquals("sent news", call("send", "news"));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class, () -> call("send", "secret"));
        assertEquals("blocked by the advice", thrown.getCause().getMessage());
    }

    @Test
    void aClassWhoseMethodsTakeNoAdviceIsLeftAsItIs() throws Exception {
        assertNull(AdviceWeaver.weave(original(), Arrays.asList(new AdviceWeaver.Point(named("absent"),
                new AdviceClasses(null).get(ADVICE + "Greet")))));
    }

    private static Object call(String method, Object argument) throws Exception {
        Class<?> type = argument instanceof Integer ? int.class : argument.getClass();
        Object target = woven.getConstructor().newInstance();
        return woven.getMethod(method, type).invoke(target, argument);
    }

    private static byte[] original() throws IOException {
        try (InputStream in = AdviceWeaverTest.class.getClassLoader().getResourceAsStream(TARGET.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }
}
