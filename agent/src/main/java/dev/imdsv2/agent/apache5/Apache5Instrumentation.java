package dev.imdsv2.agent.apache5;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Arrays;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
import dev.imdsv2.agent.clients.ClientInstrumentation;

/**
 * Apache HttpClient 5 (5.0 to 5.x), classic and async: advice at the last handler of each exec chain,
 * {@code MainClientExec} and {@code HttpAsyncMainClientExec}, which run once per hop with the hop's route
 * (its target and proxy) in the chain's scope. A redirect is built from the application's request, so the
 * token added to the hop's request never follows it. Both exec chains ask {@code DefaultRedirectStrategy}
 * whether a hop's response is a redirect, with the hop's request and the exchange's context: that is where a
 * redirect by a host other than IMDS is noted, so a later hop into IMDS gets no token. (A custom
 * {@code RedirectStrategy} is not followed: a redirect it makes into IMDS is treated as a direct request.)
 *
 * <p>The classic response is seen (a 401 drops the token); the async one is delivered through callbacks the
 * agent does not follow, so there a rejected token is replaced on renewal only.
 */
public final class Apache5Instrumentation implements ClientInstrumentation {
    public static final String CLIENT = "apache-httpclient-5";
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
    private static final String ADVICE = "dev.imdsv2.agent.apache5.";
    static final String CLASSIC_MAIN_EXEC = "org.apache.hc.client5.http.impl.classic.MainClientExec";
    static final String ASYNC_MAIN_EXEC = "org.apache.hc.client5.http.impl.async.HttpAsyncMainClientExec";
    static final String REDIRECT_STRATEGY = "org.apache.hc.client5.http.impl.DefaultRedirectStrategy";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Arrays.asList(CLASSIC_MAIN_EXEC, ASYNC_MAIN_EXEC, REDIRECT_STRATEGY);
    }

    @Override
    public void advise(AdvicePlan plan) {
        plan.advise(CLASSIC_MAIN_EXEC, named("execute").and(takesArgument(1, "org.apache.hc.client5.http.classic.ExecChain$Scope")),
                        ADVICE + "ClassicExecAdvice")
                .advise(ASYNC_MAIN_EXEC, named("execute").and(takesArgument(2, "org.apache.hc.client5.http.async.AsyncExecChain$Scope")),
                        ADVICE + "AsyncExecAdvice")
                .advise(REDIRECT_STRATEGY, named("isRedirected").and(takesArguments(3)), ADVICE + "RedirectStrategyAdvice");
    }
}
