package dev.imdsv2.agent.jetty;

import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.client.HttpRequest;
import org.eclipse.jetty.client.api.Request;

import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Inlined on exit of {@code HttpClient.copyRequest(HttpRequest, URI)} (Jetty 9.4 to 11), which builds a redirect's
 * (or an authentication retry's) request with the old one's headers: the token this agent added stays behind.
 */
public final class Jetty9CopyRequestAdvice {

    private Jetty9CopyRequestAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.Argument(0) HttpRequest oldRequest, @Advice.Return Request newRequest) {
        if (newRequest != null && Boolean.TRUE.equals(oldRequest.getAttributes().get(JettyInstrumentation.DECIDED))) {
            newRequest.header(DecisionPath.TOKEN_HEADER, null);
        }
    }
}
