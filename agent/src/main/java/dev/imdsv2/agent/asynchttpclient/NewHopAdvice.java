package dev.imdsv2.agent.asynchttpclient;

import java.io.IOException;

import io.netty.handler.codec.http.HttpHeaders;
import org.asynchttpclient.Request;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.proxy.ProxyServer;
import org.asynchttpclient.uri.Uri;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called at the exit of {@code NettyRequestSender.newNettyRequestAndResponseFuture}: see
 * {@link AsyncHttpClientInstrumentation}. Only API common to AsyncHttpClient 2.0.25 to 2.12 and Netty 4.0 and 4.1.
 */
public final class NewHopAdvice {

    private NewHopAdvice() {
    }

    /**
     * Decides a hop to IMDS on its Netty request. A blocked hop (enforce mode) leaves as an {@code IOException}: on
     * the first hop {@code execute} hands it to the handler and returns a failed future; on a later hop the channel
     * handler aborts the future with it.
     */
    @Hook.OnExit
    public static NettyResponseFuture<?> exit(@Hook.Return NettyResponseFuture<?> future,
                                              @Hook.Argument(0) Request request,
                                              @Hook.Argument(2) NettyResponseFuture<?> originalFuture,
                                              @Hook.Argument(3) ProxyServer proxy) throws IOException {
        try {
            if (future == null) {
                return null;
            }
            Uri uri = request.getUri();
            Endpoint endpoint = ImdsHops.endpoint(uri.getScheme(), uri.getHost(), uri.getPort());
            if (endpoint == null) {
                return future;
            }
            HttpHeaders headers = future.getNettyRequest().getHttpRequest().headers();
            boolean forwarded = ImdsHops.carriesRelayHeader(headers, HttpHeaders.class, "contains");
            String token = ImdsHops.hop(AsyncHttpClientInstrumentation.CLIENT, endpoint, future)
                    .firstHop(originalFuture == null)
                    .request(request.getMethod(), uri.getPath(), headers.get(DecisionPath.TOKEN_HEADER))
                    .forwarded(forwarded).proxied(proxy != null).decide();
            if (token != null) {
                headers.set(DecisionPath.TOKEN_HEADER, token);
            }
        } catch (IOException blocked) {
            throw blocked;
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return future;
    }
}
