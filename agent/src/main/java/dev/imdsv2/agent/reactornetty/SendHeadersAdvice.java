package dev.imdsv2.agent.reactornetty;

import java.io.IOException;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.proxy.ProxyHandler;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientRequest;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called at the exit of {@code HttpClientOperations.beforeMarkSentHeaders()}: see
 * {@link ReactorNettyInstrumentation}. {@code HttpClientOperations} is package-private; the advice reaches it
 * through the public interfaces it implements, whose methods used here exist from 1.0 on.
 */
public final class SendHeadersAdvice {

    private SendHeadersAdvice() {
    }

    /** Decides a hop to IMDS before its headers go out: adds the token, or throws the enforce-mode failure. */
    @Hook.OnExit
    public static void exit(@Hook.This HttpClientRequest request) throws IOException {
        try {
            Endpoint endpoint = ImdsHops.endpointOfUrl(request.resourceUrl());
            if (endpoint == null) {
                return;
            }
            HttpHeaders headers = request.requestHeaders();
            boolean forwarded = ImdsHops.carriesRelayHeader(headers, HttpHeaders.class, "contains");
            Channel channel = ((Connection) request).channel();
            // A proxy set with HttpClient.proxy(...) is a handler in the channel's pipeline; whatever else stands
            // between (a tunnel, a resolver mapping) shows in a remote address that is not the endpoint's port.
            boolean proxied = channel.pipeline().get(ProxyHandler.class) != null
                    || !ReactorNettyHops.connectedTo(channel.remoteAddress(), endpoint);
            String token = ImdsHops.hop(ReactorNettyInstrumentation.CLIENT, endpoint, request)
                    .request(request.method().name(), request.uri(), headers.get(DecisionPath.TOKEN_HEADER))
                    .forwarded(forwarded).proxied(proxied)
                    .redirectedFromElsewhere(ReactorNettyHops.anyElsewhere(request.redirectedFrom())).decide();
            if (token != null) {
                headers.set(DecisionPath.TOKEN_HEADER, token);
                ReactorNettyHops.added(request, token);
            }
        } catch (IOException blocked) {
            throw blocked;
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
