package dev.imdsv2.agent.vertx;

import java.io.IOException;

import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.Http1xClientConnection;
import io.vertx.core.http.impl.HttpRequestHead;
import io.vertx.core.net.SocketAddress;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called from {@code Http1xClientConnection.beginRequest(stream, head, chunked, buf, end, connect, handler)}, the
 * same in Vert.x 4.0 to 5.x: decides the hop (see {@link VertxInstrumentation}). Only Vert.x API common to those
 * versions is used here.
 */
public final class BeginRequestAdvice {

    private BeginRequestAdvice() {
    }

    /** Decides a hop to IMDS; returns true to skip {@code beginRequest}: the hop is refused (enforce mode) and its request failed already. */
    @Hook.OnEnter(skipOn = true)
    public static boolean enter(@Hook.This Http1xClientConnection connection,
                                @Hook.Field("server") SocketAddress server,
                                @Hook.Field("ssl") boolean ssl,
                                @Hook.Argument(0) Object stream,
                                @Hook.Argument(1) HttpRequestHead head) {
        try {
            String scheme = ssl ? "https" : "http";
            Endpoint endpoint = ImdsHops.endpoint(scheme, server.host(), server.port());
            boolean proxied;
            if (endpoint != null) {
                proxied = !VertxHops.peerIs(endpoint, scheme, connection.channel().remoteAddress());
            } else if (!head.uri.isEmpty() && head.uri.charAt(0) != '/') {
                // Absolute form: the connection goes to an HTTP proxy, and the head's URI is the target's whole URL.
                endpoint = ImdsHops.endpointOfUrl(head.uri);
                if (endpoint == null) {
                    return false;
                }
                proxied = true;
            } else {
                return false;
            }
            MultiMap headers = head.headers;
            boolean forwarded = false;
            String token = null;
            boolean redirectedFromElsewhere = false;
            if (headers != null) {
                forwarded = ImdsHops.carriesRelayHeader(headers, MultiMap.class, "contains");
                token = headers.get(DecisionPath.TOKEN_HEADER);
                redirectedFromElsewhere = headers.contains(VertxHops.REDIRECTED_FROM_ELSEWHERE);
            }
            try {
                VertxHops.beforeHop(connection, endpoint, head.method.name(), head.uri, token, forwarded, proxied,
                        redirectedFromElsewhere);
            } catch (IOException e) {
                VertxHops.failHop(stream, connection, e);
                return true;
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return false;
    }

    /** However {@code beginRequest} ends, the token decided for its hop is never left for another request of this thread. */
    @Hook.OnExit(onThrowable = true)
    public static void exit() {
        try {
            VertxHops.takePendingToken(); // normally taken by createRequest already
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
