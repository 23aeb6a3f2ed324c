package dev.imdsv2.agent.vertx;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;

/**
 * Called at the exit of Vert.x's default redirect handler (4.x: the static lambda in {@code HttpClientImpl}; 5.x:
 * {@code DefaultRedirectHandler.apply}), which turns a redirect response into the next hop's options for both the
 * core client and {@code WebClient}: a redirect into IMDS from a host that is not IMDS, or from a hop that was itself
 * redirected from one, marks the next hop (see {@link VertxHops#REDIRECTED_FROM_ELSEWHERE}).
 */
public final class RedirectHandlerAdvice {

    private RedirectHandlerAdvice() {
    }

    @Hook.OnExit
    public static Future<RequestOptions> exit(@Hook.Return Future<RequestOptions> next,
                                              @Hook.Argument(0) HttpClientResponse response) {
        try {
            RequestOptions options = next == null || !next.succeeded() ? null : next.result();
            if (options == null) {
                return next;
            }
            Integer port = options.getPort();
            if (ImdsHops.endpoint(Boolean.TRUE.equals(options.isSsl()) ? "https" : "http", options.getHost(),
                    port == null ? -1 : port) == null) {
                return next;
            }
            HttpClientRequest from = response.request();
            if (from.headers().contains(VertxHops.REDIRECTED_FROM_ELSEWHERE) || ImdsHops.endpointOfUrl(from.absoluteURI()) == null) {
                options.putHeader(VertxHops.REDIRECTED_FROM_ELSEWHERE, "1");
                VertxHops.redirectMarksInUse = true;
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return next;
    }
}
