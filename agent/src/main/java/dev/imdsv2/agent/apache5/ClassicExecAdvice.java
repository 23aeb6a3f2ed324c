package dev.imdsv2.agent.apache5;

import java.io.IOException;

import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.protocol.RedirectLocations;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/** Called from the classic {@code MainClientExec.execute(request, scope, chain)}: see {@link Apache5Instrumentation}. */
public final class ClassicExecAdvice {

    private ClassicExecAdvice() {
    }

    /** Decides a hop to IMDS: adds the token, or throws the enforce-mode failure so that the hop is never sent. */
    @Hook.OnEnter
    public static void enter(@Hook.Argument(0) ClassicHttpRequest request, @Hook.Argument(1) ExecChain.Scope scope)
            throws IOException {
        try {
            HttpRoute route = scope.route;
            HttpHost target = route.getTargetHost();
            Endpoint endpoint = ImdsHops.endpoint(target.getSchemeName(), target.getHostName(), target.getPort());
            if (endpoint == null) {
                return;
            }
            RedirectLocations redirects = scope.clientContext.getRedirectLocations();
            boolean forwarded = ImdsHops.carriesRelayHeader(request, ClassicHttpRequest.class, "containsHeader");
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

    /** Reports the hop's response: a 401 to the token, or a redirect (from any host: it may name IMDS). */
    @Hook.OnExit
    public static ClassicHttpResponse exit(@Hook.Return ClassicHttpResponse response,
                                           @Hook.Argument(0) ClassicHttpRequest request,
                                           @Hook.Argument(1) ExecChain.Scope scope) {
        try {
            if (response == null) {
                return null;
            }
            int code = response.getCode();
            boolean redirect = ImdsHops.isRedirect(code);
            HttpHost target = scope.route.getTargetHost();
            Endpoint endpoint = ImdsHops.endpoint(target.getSchemeName(), target.getHostName(), target.getPort());
            if (endpoint != null || redirect) {
                Header token = endpoint == null ? null : request.getFirstHeader(DecisionPath.TOKEN_HEADER);
                Header location = redirect ? response.getFirstHeader("Location") : null;
                ImdsHops.afterHop(Apache5Instrumentation.CLIENT, scope.clientContext, endpoint,
                        token == null ? null : token.getValue(), code, location == null ? null : location.getValue());
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return response;
    }
}
