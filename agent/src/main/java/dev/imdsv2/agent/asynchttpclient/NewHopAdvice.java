package dev.imdsv2.agent.asynchttpclient;

import java.io.IOException;

import io.netty.handler.codec.http.HttpHeaders;
import net.bytebuddy.asm.Advice;
import org.asynchttpclient.Request;
import org.asynchttpclient.netty.NettyResponseFuture;
import org.asynchttpclient.proxy.ProxyServer;
import org.asynchttpclient.uri.Uri;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Inlined at the exit of {@code NettyRequestSender.newNettyRequestAndResponseFuture}: see
 * {@link AsyncHttpClientInstrumentation}. Only API common to AsyncHttpClient 2.0.25 to 2.12 and Netty 4.0 and 4.1.
 */
public final class NewHopAdvice {

    private NewHopAdvice() {
    }

    /**
     * A blocked hop (enforce mode) leaves as an {@code IOException}: on the first hop {@code execute} hands it
     * to the handler and returns a failed future; on a later hop the channel handler aborts the future with it.
     */
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Argument(0) Request request,
                     @Advice.Argument(2) NettyResponseFuture<?> originalFuture,
                     @Advice.Argument(3) ProxyServer proxy,
                     @Advice.Return NettyResponseFuture<?> future,
                     @Advice.Thrown(readOnly = false) Throwable thrown) {
        if (future == null || thrown != null) {
            return;
        }
        Uri uri = request.getUri();
        Endpoint endpoint = ImdsHops.endpoint(uri.getScheme(), uri.getHost(), uri.getPort());
        if (endpoint == null) {
            return;
        }
        HttpHeaders headers = future.getNettyRequest().getHttpRequest().headers();
        boolean forwarded = false;
        for (String relayHeader : DecisionPath.RELAY_HEADERS) {
            forwarded |= headers.contains(relayHeader);
        }
        try {
            String token = ImdsHops.beforeHop(AsyncHttpClientInstrumentation.CLIENT, endpoint, future, originalFuture == null,
                    request.getMethod(), uri.getPath(), headers.get(DecisionPath.TOKEN_HEADER), forwarded, proxy != null, false);
            if (token != null) {
                headers.set(DecisionPath.TOKEN_HEADER, token);
            }
        } catch (IOException e) {
            thrown = e;
        }
    }
}
