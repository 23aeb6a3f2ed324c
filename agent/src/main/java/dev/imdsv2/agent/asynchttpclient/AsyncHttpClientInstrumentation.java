package dev.imdsv2.agent.asynchttpclient;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Arrays;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
import dev.imdsv2.agent.clients.ClientInstrumentation;

/**
 * AsyncHttpClient ({@code org.asynchttpclient}) 2.0.25 to 2.12, sync ({@code execute().get()}) and async (handlers,
 * {@code toCompletableFuture()}): the same path, the API differs only in how the caller waits.
 *
 * <ul>
 *   <li>Requests: every hop — the first one, each redirect, a 401/407 re-send, a retry — builds its Netty request
 *       in {@code NettyRequestSender.newNettyRequestAndResponseFuture(request, handler, originalFuture, proxy,
 *       connect)}, with the hop's proxy decided already (the request's or the config's selector, null when the
 *       host is exempt), before any connection is chosen. The first hop runs on the caller's thread, so the
 *       call site is the application's. The token goes on that Netty request only; a redirect is built from the
 *       application's {@code Request} (the future's current request), so the token never follows it. The
 *       exchange is the {@code NettyResponseFuture}, kept across the hops of one request.</li>
 *   <li>Responses: {@code Interceptors.exitAfterIntercept} sees each hop's status before the redirect and 401
 *       interceptors act on it (and, for a redirect, send the next hop): a 401 to an upgraded hop drops the
 *       token, a redirect by a host that is not IMDS denies a token to every later hop.</li>
 * </ul>
 */
public final class AsyncHttpClientInstrumentation implements ClientInstrumentation {
    public static final String CLIENT = "async-http-client";
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
    private static final String ADVICE = "dev.imdsv2.agent.asynchttpclient.";
    static final String REQUEST_SENDER = "org.asynchttpclient.netty.request.NettyRequestSender";
    static final String INTERCEPTORS = "org.asynchttpclient.netty.handler.intercept.Interceptors";
    private static final String RESPONSE_FUTURE = "org.asynchttpclient.netty.NettyResponseFuture";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Arrays.asList(REQUEST_SENDER, INTERCEPTORS);
    }

    @Override
    public void advise(AdvicePlan plan) {
        plan.advise(REQUEST_SENDER, named("newNettyRequestAndResponseFuture").and(takesArguments(5))
                                .and(takesArgument(0, "org.asynchttpclient.Request"))
                                .and(takesArgument(2, RESPONSE_FUTURE))
                                .and(takesArgument(3, "org.asynchttpclient.proxy.ProxyServer")),
                        ADVICE + "NewHopAdvice")
                .advise(INTERCEPTORS, named("exitAfterIntercept").and(takesArguments(6))
                                .and(takesArgument(1, RESPONSE_FUTURE))
                                .and(takesArgument(4, "org.asynchttpclient.HttpResponseStatus")),
                        ADVICE + "HopResponseAdvice");
    }
}
