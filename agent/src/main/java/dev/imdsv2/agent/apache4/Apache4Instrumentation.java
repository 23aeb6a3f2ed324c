package dev.imdsv2.agent.apache4;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.Arrays;
import java.util.List;

import net.bytebuddy.agent.builder.AgentBuilder;

import dev.imdsv2.agent.clients.ClientInstrumentation;

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
    /** Advice classes are named, not referenced: read from the jar as class files, they are never loaded. */
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
    public AgentBuilder extend(AgentBuilder builder, AgentBuilder.Transformer.ForAdvice advice) {
        return builder
                .type(named(PROCESSOR)).transform(advice.advice(
                        named("process").and(takesArguments(2)).and(takesArgument(0, named("org.apache.http.HttpRequest"))),
                        ADVICE + "RequestProcessorAdvice"))
                .type(named(CLASSIC_EXECUTOR)).transform(advice.advice(
                        named("execute").and(takesArguments(3)).and(takesArgument(0, named("org.apache.http.HttpRequest"))),
                        ADVICE + "ClassicResponseAdvice"))
                .type(named(CLASSIC_PROTOCOL_EXEC)).transform(advice.advice(
                        named("execute").and(takesArguments(4)).and(takesArgument(2,
                                named("org.apache.http.client.protocol.HttpClientContext"))),
                        ADVICE + "ProtocolExecAdvice"))
                .type(namedOneOf(ASYNC_HANDLER, MINIMAL_ASYNC_HANDLER)).transform(advice.advice(
                        named("responseReceived").and(takesArguments(1)),
                        ADVICE + "AsyncResponseAdvice"));
    }
}
