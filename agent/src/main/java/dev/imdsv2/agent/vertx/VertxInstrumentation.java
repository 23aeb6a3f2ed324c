package dev.imdsv2.agent.vertx;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.Arrays;
import java.util.List;

import net.bytebuddy.agent.builder.AgentBuilder;

import dev.imdsv2.agent.clients.ClientInstrumentation;

/**
 * Vert.x 4 and 5: the core {@code HttpClient}, and so {@code WebClient}, which sends every hop through it.
 *
 * <p>Per hop, on the connection: {@code Http1xClientConnection.beginRequest(stream, head, ...)} is where a request's
 * head goes onto an HTTP/1.x connection, on its event loop, in every version from 4.0 to 5.x. The connection knows the
 * address it was opened to ({@code server}: IMDS itself, or the HTTP proxy, which gets the request in absolute form)
 * and its channel's actual peer (a SOCKS proxy shows there). The head is decided there; the token goes only onto the
 * Netty request that {@code createRequest} builds from it, never into Vert.x's own header map, because both the core
 * client and {@code WebClient} copy that map into the next hop when they follow a redirect: so a token never follows
 * a redirect out of IMDS. In enforce mode a refused hop is never written: its request fails with the agent's
 * {@code IOException} and the connection is closed. A 401 to an upgraded hop ({@code handleResponseBegin}) drops the token.
 *
 * <p>Redirects are followed by the core client or by {@code WebClient}, both through the client's redirect handler;
 * the default one (a lambda of {@code HttpClientImpl} in 4.x, {@code DefaultRedirectHandler} in 5.x) is followed:
 * where a host that is not IMDS redirects into IMDS, the next hop's options get a marker header, which the hop's
 * decision reads and which is taken off the Netty request again (see {@link VertxHops#REDIRECTED_FROM_ELSEWHERE}).
 * A custom {@code redirectHandler} is not followed: a redirect it makes into IMDS looks like a direct request.
 *
 * <p>HTTP/2 connections are not instrumented: IMDS speaks HTTP/1.x, so a request to it goes over {@code Http1xClientConnection}.
 */
public final class VertxInstrumentation implements ClientInstrumentation {
    public static final String CLIENT = "vertx";
    /** Advice classes are named, not referenced: read from the jar as class files, they are never loaded. */
    private static final String ADVICE = "dev.imdsv2.agent.vertx.";
    static final String CONNECTION = "io.vertx.core.http.impl.Http1xClientConnection";
    /** Vert.x 4: the default redirect handler is a static lambda of this class. */
    static final String CLIENT_4 = "io.vertx.core.http.impl.HttpClientImpl";
    /** Vert.x 5: the default redirect handler. */
    static final String REDIRECT_HANDLER_5 = "io.vertx.core.http.impl.DefaultRedirectHandler";
    private static final String RESPONSE = "io.vertx.core.http.HttpClientResponse";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Arrays.asList(CONNECTION, CLIENT_4, REDIRECT_HANDLER_5);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, AgentBuilder.Transformer.ForAdvice advice) {
        return builder
                .type(named(CONNECTION))
                .transform(advice.advice(named("beginRequest").and(takesArguments(7))
                        .and(takesArgument(1, named("io.vertx.core.http.impl.HttpRequestHead"))), ADVICE + "BeginRequestAdvice"))
                .transform(advice.advice(named("createRequest").and(takesArguments(7))
                        .and(returns(named("io.netty.handler.codec.http.HttpRequest"))), ADVICE + "CreateRequestAdvice"))
                .transform(advice.advice(named("handleResponseBegin").and(takesArguments(2))
                        .and(takesArgument(1, named("io.vertx.core.http.impl.HttpResponseHead"))), ADVICE + "ResponseBeginAdvice"))
                .type(named(CLIENT_4))
                .transform(advice.advice(isStatic().and(takesArguments(1)).and(takesArgument(0, named(RESPONSE)))
                        .and(returns(named("io.vertx.core.Future"))), ADVICE + "RedirectHandlerAdvice"))
                .type(named(REDIRECT_HANDLER_5))
                .transform(advice.advice(named("apply").and(takesArgument(0, named(RESPONSE)))
                        .and(returns(named("io.vertx.core.Future"))), ADVICE + "RedirectHandlerAdvice"));
    }
}
