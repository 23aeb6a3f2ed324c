package dev.imdsv2.agent.reactornetty;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Collections;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
import dev.imdsv2.agent.clients.ClientInstrumentation;

/**
 * Reactor Netty's {@code HttpClient} 1.0 to 1.3 (the default under Spring's {@code WebClient}), blocking or
 * reactive: advice on {@code HttpClientOperations}, the object Reactor Netty makes for each hop (every
 * redirect and every retry is a new one).
 *
 * <p>{@code beforeMarkSentHeaders()} runs once per hop, on the connected channel, after everything that sets
 * the hop's headers (the client's default headers, the application's send handler, the redirect consumers
 * of {@code followRedirect}) and right before the head is written: there the hop's URL ({@code resourceUrl()}),
 * the URLs it was redirected from and the channel (its proxy handler, its remote address) are known, and the
 * token goes into the hop's headers. {@code setNettyResponse(response)} runs when the hop's response head
 * arrives, before Reactor Netty decides on a redirect: a 401 drops the token, and the token is taken out of
 * the hop's headers again, because {@code followRedirect(true, (headers, request) -> ...)} hands those very
 * headers to the next hop, which may be another host.
 */
public final class ReactorNettyInstrumentation implements ClientInstrumentation {
    public static final String CLIENT = "reactor-netty";
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
    private static final String ADVICE = "dev.imdsv2.agent.reactornetty.";
    private static final String OPERATIONS = "reactor.netty.http.client.HttpClientOperations";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Collections.singletonList(OPERATIONS);
    }

    @Override
    public void advise(AdvicePlan plan) {
        plan.advise(OPERATIONS, named("beforeMarkSentHeaders").and(takesArguments(0)), ADVICE + "SendHeadersAdvice")
                .advise(OPERATIONS, named("setNettyResponse").and(takesArguments(1))
                        .and(takesArgument(0, "io.netty.handler.codec.http.HttpResponse")), ADVICE + "ResponseAdvice");
    }
}
