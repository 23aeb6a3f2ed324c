package dev.imdsv2.agent.okhttp;

import static dev.imdsv2.agent.clients.MethodMatcher.inClassWithout;
import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Collections;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
import dev.imdsv2.agent.clients.ClientInstrumentation;
import dev.imdsv2.agent.clients.MethodMatcher;

/**
 * OkHttp 3.12+, 4 and 5: one advice on {@code RealInterceptorChain.proceed}, acting only where the chain
 * passes a request on from {@code ConnectInterceptor}. That point is once per hop (after redirects and
 * retries are resolved by the interceptors before it), the connection and so its proxy are known, and the
 * {@code BridgeInterceptor} above it puts the application's own request back into the response, so the
 * redirect that OkHttp builds from a response never inherits the token.
 *
 * <p>OkHttp 3.12 passes the request on through {@code proceed(Request, StreamAllocation, HttpCodec,
 * RealConnection)}, 3.13 and 3.14 through {@code proceed(Request, Transmitter, Exchange)}; in both the
 * one-argument {@code proceed} calls that one, and {@code ConnectInterceptor} calls it directly. OkHttp 4 and
 * 5 (Kotlin) have only {@code proceed(Request)}.
 */
public final class OkHttpInstrumentation implements ClientInstrumentation {
    public static final String CLIENT = "okhttp";
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
    private static final String ADVICE = "dev.imdsv2.agent.okhttp.";
    private static final String CHAIN = "okhttp3.internal.http.RealInterceptorChain";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Collections.singletonList(CHAIN);
    }

    @Override
    public void advise(AdvicePlan plan) {
        MethodMatcher networkHopProceed = takesArguments(4).or(takesArguments(3));
        plan.advise(CHAIN, named("proceed").and(takesArgument(0, "okhttp3.Request")).and(networkHopProceed.or(
                        takesArguments(1).and(inClassWithout(named("proceed").and(networkHopProceed))))),
                ADVICE + "OkHttpChainAdvice");
    }
}
