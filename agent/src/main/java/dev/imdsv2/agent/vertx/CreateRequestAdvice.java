package dev.imdsv2.agent.vertx;

import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.MultiMap;
import net.bytebuddy.asm.Advice;

import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Inlined at the exit of {@code Http1xClientConnection.createRequest(method, uri, headers, authority, chunked, buf,
 * end)}, which {@code beginRequest} calls to build the Netty request of a hop: puts the token that {@link
 * BeginRequestAdvice} decided on it, and takes the redirect marker off. Vert.x's own header map is left as it is.
 */
public final class CreateRequestAdvice {

    private CreateRequestAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.Argument(2) MultiMap headers, @Advice.Return HttpRequest request) {
        if (VertxHops.redirectMarksInUse && headers != null && headers.contains(VertxHops.REDIRECTED_FROM_ELSEWHERE)) {
            request.headers().remove(VertxHops.REDIRECTED_FROM_ELSEWHERE);
        }
        String token = VertxHops.takePendingToken();
        if (token != null) {
            request.headers().set(DecisionPath.TOKEN_HEADER, token);
        }
    }
}
