package dev.imdsv2.agent.apache4;

import java.util.Collection;

import net.bytebuddy.asm.Advice;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.RequestLine;
import org.apache.http.conn.routing.RouteInfo;
import org.apache.http.protocol.HttpContext;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/** Inlined at the exit of {@code ImmutableHttpProcessor.process(HttpRequest, HttpContext)}: see {@link Apache4Instrumentation}. */
public final class RequestProcessorAdvice {

    private RequestProcessorAdvice() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Argument(0) HttpRequest request,
                     @Advice.Argument(1) HttpContext context,
                     @Advice.Thrown(readOnly = false) Throwable thrown) {
        if (thrown != null || context == null) {
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
        boolean forwarded = false;
        for (String relayHeader : DecisionPath.RELAY_HEADERS) {
            forwarded |= request.containsHeader(relayHeader);
        }
        Header tokenHeader = request.getFirstHeader(DecisionPath.TOKEN_HEADER);
        RequestLine line = request.getRequestLine();
        try {
            String token = ImdsHops.beforeHop(Apache4Instrumentation.CLIENT, endpoint, context, firstHop, line.getMethod(),
                    line.getUri(), tokenHeader == null ? null : tokenHeader.getValue(), forwarded, proxied, false);
            if (token != null) {
                request.setHeader(DecisionPath.TOKEN_HEADER, token);
            }
        } catch (java.io.IOException blocked) {
            thrown = blocked;
        }
    }
}
