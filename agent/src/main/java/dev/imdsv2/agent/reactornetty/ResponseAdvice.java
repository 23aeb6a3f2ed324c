package dev.imdsv2.agent.reactornetty;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import reactor.netty.http.client.HttpClientRequest;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called at the entry of {@code HttpClientOperations.setNettyResponse(response)}, when a hop's response head
 * arrives: see {@link ReactorNettyInstrumentation}. Only a hop that carries a token header goes further than
 * one header look-up.
 */
public final class ResponseAdvice {

    private ResponseAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.This HttpClientRequest request, @Hook.Argument(0) HttpResponse response) {
        try {
            HttpHeaders headers = request.requestHeaders();
            String token = headers.get(DecisionPath.TOKEN_HEADER);
            if (token == null || !ReactorNettyHops.takeAdded(request, token)) {
                return;
            }
            // The next hop of a redirect may be handed these headers: the token must not go with them.
            headers.remove(DecisionPath.TOKEN_HEADER);
            ImdsHops.afterHop(ReactorNettyInstrumentation.CLIENT, request, ImdsHops.endpointOfUrl(request.resourceUrl()),
                    token, response.status().code(), null);
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
