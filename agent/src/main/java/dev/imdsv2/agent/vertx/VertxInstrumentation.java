package dev.imdsv2.agent.vertx;

import static dev.imdsv2.agent.clients.MethodMatcher.isStatic;
import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.returns;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Arrays;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
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
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
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
    public void advise(AdvicePlan plan) {
        plan.advise(CONNECTION, named("beginRequest").and(takesArguments(7))
                        .and(takesArgument(1, "io.vertx.core.http.impl.HttpRequestHead")), ADVICE + "BeginRequestAdvice")
                .advise(CONNECTION, named("createRequest").and(takesArguments(7))
                        .and(returns("io.netty.handler.codec.http.HttpRequest")), ADVICE + "CreateRequestAdvice")
                .advise(CONNECTION, named("handleResponseBegin").and(takesArguments(2))
                        .and(takesArgument(1, "io.vertx.core.http.impl.HttpResponseHead")), ADVICE + "ResponseBeginAdvice")
                .advise(CLIENT_4, isStatic().and(takesArguments(1)).and(takesArgument(0, RESPONSE))
                        .and(returns("io.vertx.core.Future")), ADVICE + "RedirectHandlerAdvice")
                .advise(REDIRECT_HANDLER_5, named("apply").and(takesArgument(0, RESPONSE))
                        .and(returns("io.vertx.core.Future")), ADVICE + "RedirectHandlerAdvice");
    }
}
