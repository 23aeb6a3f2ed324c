package dev.imdsv2.agent.vertx;

import io.vertx.core.http.impl.HttpResponseHead;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code Http1xClientConnection.handleResponseBegin(stream, head)}: a 401 to an upgraded hop drops the token. */
public final class ResponseBeginAdvice {

    private ResponseBeginAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object connection, @Advice.Argument(1) HttpResponseHead response) {
        if (response.statusCode == 401) {
            VertxHops.unauthorized(connection);
        }
    }
}
