package dev.imdsv2.agent.jetty;

import org.eclipse.jetty.client.HttpExchange;
import org.eclipse.jetty.client.HttpRequest;
import org.eclipse.jetty.http.HttpField;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on exit of {@code org.eclipse.jetty.client.HttpReceiver.responseHeaders(HttpExchange)} (Jetty 9.4 to
 * 11): a 401 to a request this agent upgraded drops the token.
 */
public final class Jetty9ReceiverAdvice {

    private Jetty9ReceiverAdvice() {
    }

    @Hook.OnExit
    public static void exit(@Hook.Argument(0) HttpExchange exchange) {
        try {
            HttpRequest request = exchange.getRequest();
            if (!Boolean.TRUE.equals(request.getAttributes().get(JettyInstrumentation.DECIDED))
                    || exchange.getResponse().getStatus() != 401) {
                return;
            }
            String tokenOnRequest = null;
            Iterable<HttpField> headers = request.getHeaders();
            for (HttpField header : headers) {
                if (DecisionPath.TOKEN_HEADER.equalsIgnoreCase(header.getName())) {
                    tokenOnRequest = header.getValue();
                }
            }
            ImdsHops.afterHop(JettyInstrumentation.CLIENT, request.getConversation(),
                    ImdsHops.endpoint(request.getScheme(), request.getHost(), request.getPort()), tokenOnRequest, 401, null);
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
