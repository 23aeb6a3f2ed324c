package dev.imdsv2.agent.jetty;

import java.io.IOException;

import org.eclipse.jetty.client.HttpConnection;
import org.eclipse.jetty.client.HttpExchange;
import org.eclipse.jetty.client.HttpRequest;
import org.eclipse.jetty.client.api.Request;
import org.eclipse.jetty.http.HttpField;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on entry to {@code org.eclipse.jetty.client.HttpConnection.normalizeRequest} (Jetty 9.4 to 11): see
 * {@link JettyInstrumentation}. {@link Jetty12ConnectionAdvice} repeats these lines for Jetty 12's types:
 * advice resolves the client's types through the application's class loader, which a shared helper in the
 * agent jar could not see.
 */
public final class Jetty9ConnectionAdvice {

    private Jetty9ConnectionAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.This HttpConnection connection, @Hook.Argument(0) Request request) {
        try {
            Endpoint endpoint = ImdsHops.endpoint(request.getScheme(), request.getHost(), request.getPort());
            if (endpoint == null || request.getAttributes().containsKey(JettyInstrumentation.DECIDED)) {
                return;
            }
            String tokenOnRequest = null;
            boolean forwarded = false;
            // HttpFields is a class in 9.4 and an interface from 10 on: only its Iterable side is common.
            Iterable<HttpField> headers = request.getHeaders();
            for (HttpField header : headers) {
                if (DecisionPath.TOKEN_HEADER.equalsIgnoreCase(header.getName())) {
                    tokenOnRequest = header.getValue();
                }
                forwarded |= ImdsHops.isRelayHeader(header.getName());
            }
            boolean fromElsewhere = false;
            for (HttpExchange earlier : ((HttpRequest) request).getConversation().getExchanges()) {
                HttpRequest hop = earlier.getRequest();
                fromElsewhere |= ImdsHops.endpoint(hop.getScheme(), hop.getHost(), hop.getPort()) == null;
            }
            String token;
            try {
                token = ImdsHops.hop(JettyInstrumentation.CLIENT, endpoint, ((HttpRequest) request).getConversation())
                        .request(request.getMethod(), request.getPath(), tokenOnRequest).forwarded(forwarded)
                        .proxied(connection.getHttpDestination().getProxy() != null)
                        .redirectedFromElsewhere(fromElsewhere).decide();
            } catch (IOException blocked) {
                request.attribute(JettyInstrumentation.DECIDED, Boolean.FALSE);
                request.abort(blocked);
                return;
            }
            if (token != null) {
                request.header(DecisionPath.TOKEN_HEADER, token);
            }
            request.attribute(JettyInstrumentation.DECIDED, token != null ? Boolean.TRUE : Boolean.FALSE);
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
