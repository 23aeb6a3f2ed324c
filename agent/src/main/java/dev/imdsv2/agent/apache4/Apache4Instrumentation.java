package dev.imdsv2.agent.apache4;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Arrays;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
import dev.imdsv2.agent.clients.ClientInstrumentation;
import dev.imdsv2.agent.clients.MethodMatcher;

/**
 * Apache HttpClient 4 (classic 4.3 to 4.5.x) and HttpAsyncClient 4.1.x.
 *
 * <ul>
 *   <li>Requests: both clients run every hop through the protocol processor
 *       ({@code ImmutableHttpProcessor.process(HttpRequest, HttpContext)}) with the hop's target host and
 *       route in the context, and they send the request object it processed. The advice acts on its exit,
 *       when the request interceptors have added every header (default headers too). The request is the
 *       client's per-hop wrapper: a redirect is built from the application's request, so the token never
 *       follows it.</li>
 *   <li>Responses (a 401 to an upgraded hop; a redirect from another host): classic at
 *       {@code HttpRequestExecutor.execute}, async at the exchange handlers' {@code responseReceived}.</li>
 *   <li>Re-send after a 401 to an upgraded hop (classic only): at the exit of {@code ProtocolExec.execute}, the
 *       one step of the classic exec chain that sends a single hop. {@code HttpClients.createMinimal()} has no
 *       such step, and there the 401 reaches the caller while the token is replaced.</li>
 * </ul>
 */
public final class Apache4Instrumentation implements ClientInstrumentation {
    public static final String CLIENT = "apache-httpclient-4";
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
    private static final String ADVICE = "dev.imdsv2.agent.apache4.";
    static final String PROCESSOR = "org.apache.http.protocol.ImmutableHttpProcessor";
    static final String CLASSIC_EXECUTOR = "org.apache.http.protocol.HttpRequestExecutor";
    static final String CLASSIC_PROTOCOL_EXEC = "org.apache.http.impl.execchain.ProtocolExec";
    static final String ASYNC_HANDLER = "org.apache.http.impl.nio.client.DefaultClientExchangeHandlerImpl";
    static final String MINIMAL_ASYNC_HANDLER = "org.apache.http.impl.nio.client.MinimalClientExchangeHandlerImpl";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Arrays.asList(PROCESSOR, CLASSIC_EXECUTOR, CLASSIC_PROTOCOL_EXEC, ASYNC_HANDLER, MINIMAL_ASYNC_HANDLER);
    }

    @Override
    public void advise(AdvicePlan plan) {
        MethodMatcher responseReceived = named("responseReceived").and(takesArguments(1));
        plan.advise(PROCESSOR, named("process").and(takesArguments(2)).and(takesArgument(0, "org.apache.http.HttpRequest")),
                        ADVICE + "RequestProcessorAdvice")
                .advise(CLASSIC_EXECUTOR, named("execute").and(takesArguments(3)).and(takesArgument(0, "org.apache.http.HttpRequest")),
                        ADVICE + "ClassicResponseAdvice")
                .advise(CLASSIC_PROTOCOL_EXEC, named("execute").and(takesArguments(4))
                        .and(takesArgument(2, "org.apache.http.client.protocol.HttpClientContext")), ADVICE + "ProtocolExecAdvice")
                .advise(ASYNC_HANDLER, responseReceived, ADVICE + "AsyncResponseAdvice")
                .advise(MINIMAL_ASYNC_HANDLER, responseReceived, ADVICE + "AsyncResponseAdvice");
    }
}
