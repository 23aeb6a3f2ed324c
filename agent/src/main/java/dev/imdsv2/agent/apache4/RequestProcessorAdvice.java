package dev.imdsv2.agent.apache4;

import java.io.IOException;
import java.util.Collection;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.RequestLine;
import org.apache.http.conn.routing.RouteInfo;
import org.apache.http.protocol.HttpContext;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/** Called at the exit of {@code ImmutableHttpProcessor.process(HttpRequest, HttpContext)}: see {@link Apache4Instrumentation}. */
public final class RequestProcessorAdvice {

    private RequestProcessorAdvice() {
    }

    /**
     * Decides a hop to IMDS once the request interceptors have added every header: adds the token, or throws the
     * enforce-mode failure, which the client sends on as it would any failure of the protocol processor.
     */
    @Hook.OnExit
    public static void exit(@Hook.Argument(0) HttpRequest request, @Hook.Argument(1) HttpContext context) throws IOException {
        try {
            if (context == null) {
                return;
            }
            // Set by the clients before processing a hop; absent in a server's context, which is never IMDS-bound.
            Object target = context.getAttribute("http.target_host");
            if (!(target instanceof HttpHost)) {
                return;
            }
            HttpHost host = (HttpHost) target;
            Endpoint endpoint = ImdsHops.endpoint(host.getSchemeName(), host.getHostName(), host.getPort());
            if (endpoint == null) {
                return;
            }
            Object route = context.getAttribute("http.route");
            boolean proxied = !(route instanceof RouteInfo) || ((RouteInfo) route).getProxyHost() != null;
            Object redirects = context.getAttribute("http.protocol.redirect-locations");
            boolean firstHop = !(redirects instanceof Collection) || ((Collection<?>) redirects).isEmpty();
            boolean forwarded = ImdsHops.carriesRelayHeader(request, HttpRequest.class, "containsHeader");
            Header tokenHeader = request.getFirstHeader(DecisionPath.TOKEN_HEADER);
            RequestLine line = request.getRequestLine();
            String token = ImdsHops.hop(Apache4Instrumentation.CLIENT, endpoint, context).firstHop(firstHop)
                    .request(line.getMethod(), line.getUri(), tokenHeader == null ? null : tokenHeader.getValue())
                    .forwarded(forwarded).proxied(proxied).decide();
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
