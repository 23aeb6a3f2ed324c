package dev.imdsv2.agent.vertx;

import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.MultiMap;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called at the exit of {@code Http1xClientConnection.createRequest(method, uri, headers, authority, chunked, buf,
 * end)}, which {@code beginRequest} calls to build the Netty request of a hop: puts the token that {@link
 * BeginRequestAdvice} decided on it, and takes the redirect marker off. Vert.x's own header map is left as it is.
 */
public final class CreateRequestAdvice {

    private CreateRequestAdvice() {
    }

    @Hook.OnExit
    public static HttpRequest exit(@Hook.Return HttpRequest request, @Hook.Argument(2) MultiMap headers) {
        try {
            if (VertxHops.redirectMarksInUse && headers != null && headers.contains(VertxHops.REDIRECTED_FROM_ELSEWHERE)) {
                request.headers().remove(VertxHops.REDIRECTED_FROM_ELSEWHERE);
            }
            String token = VertxHops.takePendingToken();
            if (token != null) {
                request.headers().set(DecisionPath.TOKEN_HEADER, token);
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return request;
    }
}
