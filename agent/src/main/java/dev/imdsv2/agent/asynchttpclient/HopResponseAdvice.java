package dev.imdsv2.agent.asynchttpclient;

import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.uri.Uri;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on entry to {@code Interceptors.exitAfterIntercept(channel, future, handler, response, status, headers)},
 * before the interceptors act on the hop's status (a redirect sends the next hop from there): see
 * {@link AsyncHttpClientInstrumentation}.
 */
public final class HopResponseAdvice {

    private HopResponseAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.Argument(1) NettyResponseFuture<?> future, @Hook.Argument(4) HttpResponseStatus status) {
        try {
            int code = status.getStatusCode();
            if (!ImdsHops.isReportedResponse(code)) {
                return;
            }
            Uri uri = future.getCurrentRequest().getUri();
            ImdsHops.afterHop(AsyncHttpClientInstrumentation.CLIENT, future,
                    ImdsHops.endpoint(uri.getScheme(), uri.getHost(), uri.getPort()),
                    future.getNettyRequest().getHttpRequest().headers().get(DecisionPath.TOKEN_HEADER), code, null);
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
