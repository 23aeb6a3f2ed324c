package dev.imdsv2.agent.jetty;

import java.io.IOException;

import org.eclipse.jetty.client.transport.HttpConnection;
import org.eclipse.jetty.client.transport.HttpExchange;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on entry to {@code org.eclipse.jetty.client.transport.HttpConnection.normalizeRequest} (Jetty 12): see
 * {@link JettyInstrumentation}; the same lines as {@link Jetty9ConnectionAdvice}, on Jetty 12's types.
 */
public final class Jetty12ConnectionAdvice {

    private Jetty12ConnectionAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.This HttpConnection connection, @Hook.Argument(0) HttpRequest request) {
        try {
            Endpoint endpoint = ImdsHops.endpoint(request.getScheme(), request.getHost(), request.getPort());
            if (endpoint == null || request.getAttributes().containsKey(JettyInstrumentation.DECIDED)) {
                return;
            }
            HttpFields headers = request.getHeaders();
            boolean forwarded = ImdsHops.carriesRelayHeader(headers, HttpFields.class, "contains");
            boolean fromElsewhere = false;
            for (HttpExchange earlier : request.getConversation().getExchanges()) {
                HttpRequest hop = earlier.getRequest();
                fromElsewhere |= ImdsHops.endpoint(hop.getScheme(), hop.getHost(), hop.getPort()) == null;
            }
            String token;
            try {
                token = ImdsHops.hop(JettyInstrumentation.CLIENT, endpoint, request.getConversation())
                        .request(request.getMethod(), request.getPath(), headers.get(DecisionPath.TOKEN_HEADER))
                        .forwarded(forwarded).proxied(connection.getHttpDestination().getProxy() != null)
                        .redirectedFromElsewhere(fromElsewhere).decide();
            } catch (IOException blocked) {
                request.attribute(JettyInstrumentation.DECIDED, Boolean.FALSE);
                request.abort(blocked);
                return;
            }
            if (token != null) {
                request.addHeader(new HttpField(DecisionPath.TOKEN_HEADER, token));
            }
            request.attribute(JettyInstrumentation.DECIDED, token != null ? Boolean.TRUE : Boolean.FALSE);
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
