package dev.imdsv2.agent.apache5;

import java.io.IOException;

import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.protocol.RedirectLocations;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called from {@code HttpAsyncMainClientExec.execute(request, entityProducer, scope, chain, callback)}: see
 * {@link Apache5Instrumentation}. It reads what {@link ClassicExecAdvice} reads, from the async scope type. The lines
 * are repeated on purpose: each advice class is defined into the client's class loader and links against its types
 * there, while a helper shared in the agent jar, on the system class path, could not see them when the application
 * keeps its libraries in a child loader (a Spring Boot jar).
 */
public final class AsyncExecAdvice {

    private AsyncExecAdvice() {
    }

    /** Decides a hop to IMDS: adds the token, or throws the enforce-mode failure so that the hop is never sent. */
    @Hook.OnEnter
    public static void enter(@Hook.Argument(0) HttpRequest request, @Hook.Argument(2) AsyncExecChain.Scope scope)
            throws IOException {
        try {
            HttpRoute route = scope.route;
            HttpHost target = route.getTargetHost();
            Endpoint endpoint = ImdsHops.endpoint(target.getSchemeName(), target.getHostName(), target.getPort());
            if (endpoint == null) {
                return;
            }
            RedirectLocations redirects = scope.clientContext.getRedirectLocations();
            boolean forwarded = ImdsHops.carriesRelayHeader(request, HttpRequest.class, "containsHeader");
            Header tokenHeader = request.getFirstHeader(DecisionPath.TOKEN_HEADER);
            String token = ImdsHops.hop(Apache5Instrumentation.CLIENT, endpoint, scope.clientContext)
                    .firstHop(redirects == null || redirects.size() == 0)
                    .request(request.getMethod(), request.getPath(), tokenHeader == null ? null : tokenHeader.getValue())
                    .forwarded(forwarded).proxied(route.getProxyHost() != null).decide();
            if (token != null) {
                request.setHeader(DecisionPath.TOKEN_HEADER, token);
            }
        } catch (IOException blocked) {
            throw blocked;
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
