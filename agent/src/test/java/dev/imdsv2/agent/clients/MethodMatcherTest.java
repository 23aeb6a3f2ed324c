package dev.imdsv2.agent.clients;

import static dev.imdsv2.agent.clients.MethodMatcher.inClassWithout;
import static dev.imdsv2.agent.clients.MethodMatcher.isStatic;
import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.returns;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import net.bytebuddy.jar.asm.Opcodes;

/** Each test a client's plan may use, and their combinations, against methods as a class file declares them. */
class MethodMatcherTest {
    private final List<MethodMatcher.Method> ofClass = new ArrayList<MethodMatcher.Method>();
    private final MethodMatcher.Method proceed = method(Opcodes.ACC_PUBLIC, "proceed", "(Lokhttp3/Request;)Lokhttp3/Response;");
    private final MethodMatcher.Method helper = method(Opcodes.ACC_STATIC, "helper", "(IJ)V");

    private MethodMatcher.Method method(int access, String name, String descriptor) {
        MethodMatcher.Method method = new MethodMatcher.Method(access, name, descriptor, ofClass);
        ofClass.add(method);
        return method;
    }

    @Test
    void eachTestReadsWhatTheClassFileDeclares() {
        assertTrue(named("proceed").matches(proceed));
        assertFalse(named("proceed").matches(helper));
        assertTrue(takesArguments(1).matches(proceed));
        assertTrue(takesArguments(2).matches(helper));
        assertTrue(takesArgument(0, "okhttp3.Request").matches(proceed));
        assertFalse(takesArgument(1, "okhttp3.Request").matches(proceed));
        assertTrue(takesArgument(1, "long").matches(helper));
        assertTrue(returns("okhttp3.Response").matches(proceed));
        assertTrue(returns("void").matches(helper));
        assertTrue(isStatic().matches(helper));
        assertFalse(isStatic().matches(proceed));
    }

    @Test
    void combinationsAndTheOtherMethodsOfTheClass() {
        assertTrue(named("proceed").and(takesArguments(1)).matches(proceed));
        assertFalse(named("proceed").and(takesArguments(3)).matches(proceed));
        assertTrue(takesArguments(3).or(takesArguments(1)).matches(proceed));
        assertFalse(takesArguments(3).or(takesArguments(4)).matches(proceed));
        assertTrue(inClassWithout(named("proceed").and(takesArguments(3))).matches(proceed));
        assertFalse(inClassWithout(named("helper")).matches(proceed));
    }
}
