package dev.imdsv2.agent.jetty;

import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called on exit of {@code HttpClient.copyRequest(Request, URI)} (Jetty 12): as {@link Jetty9CopyRequestAdvice}.
 * A Jetty 12 request hands out its own mutable headers from {@code getHeaders()}.
 */
public final class Jetty12CopyRequestAdvice {

    private Jetty12CopyRequestAdvice() {
    }

    @Hook.OnExit
    public static Request exit(@Hook.Return Request newRequest, @Hook.Argument(0) Request oldRequest) {
        try {
            if (newRequest != null && Boolean.TRUE.equals(oldRequest.getAttributes().get(JettyInstrumentation.DECIDED))) {
                HttpFields headers = newRequest.getHeaders();
                if (headers instanceof HttpFields.Mutable) {
                    ((HttpFields.Mutable) headers).remove(DecisionPath.TOKEN_HEADER);
                }
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return newRequest;
    }
}
