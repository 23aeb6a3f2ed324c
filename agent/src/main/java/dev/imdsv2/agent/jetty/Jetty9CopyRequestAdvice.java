package dev.imdsv2.agent.jetty;

import org.eclipse.jetty.client.HttpRequest;
import org.eclipse.jetty.client.api.Request;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on exit of {@code HttpClient.copyRequest(HttpRequest, URI)} (Jetty 9.4 to 11), which builds a redirect's
 * (or an authentication retry's) request with the old one's headers: the token this agent added stays behind.
 */
public final class Jetty9CopyRequestAdvice {

    private Jetty9CopyRequestAdvice() {
    }

    @Hook.OnExit
    public static Request exit(@Hook.Return Request newRequest, @Hook.Argument(0) HttpRequest oldRequest) {
        try {
            if (newRequest != null && Boolean.TRUE.equals(oldRequest.getAttributes().get(JettyInstrumentation.DECIDED))) {
                newRequest.header(DecisionPath.TOKEN_HEADER, null);
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return newRequest;
    }
}
