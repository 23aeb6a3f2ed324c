package dev.imdsv2.agent.jetty;

import org.eclipse.jetty.client.transport.HttpExchange;
import org.eclipse.jetty.client.transport.HttpRequest;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on exit of {@code org.eclipse.jetty.client.transport.HttpReceiver.responseHeaders(HttpExchange)}
 * (Jetty 12): a 401 to a request this agent upgraded drops the token.
 */
public final class Jetty12ReceiverAdvice {

    private Jetty12ReceiverAdvice() {
    }

    @Hook.OnExit
    public static void exit(@Hook.Argument(0) HttpExchange exchange) {
        try {
            HttpRequest request = exchange.getRequest();
            if (Boolean.TRUE.equals(request.getAttributes().get(JettyInstrumentation.DECIDED))
                    && exchange.getResponse().getStatus() == 401) {
                ImdsHops.afterHop(JettyInstrumentation.CLIENT, request.getConversation(),
                        ImdsHops.endpoint(request.getScheme(), request.getHost(), request.getPort()),
                        request.getHeaders().get(DecisionPath.TOKEN_HEADER), 401, null);
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
