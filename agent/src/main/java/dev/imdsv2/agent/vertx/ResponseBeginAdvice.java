package dev.imdsv2.agent.vertx;

import io.vertx.core.http.impl.HttpResponseHead;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;

/** Called from {@code Http1xClientConnection.handleResponseBegin(stream, head)}: a 401 to an upgraded hop drops the token. */
public final class ResponseBeginAdvice {

    private ResponseBeginAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.This Object connection, @Hook.Argument(1) HttpResponseHead response) {
        try {
            if (response.statusCode == 401) {
                VertxHops.unauthorized(connection);
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
