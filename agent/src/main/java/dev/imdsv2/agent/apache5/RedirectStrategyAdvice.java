package dev.imdsv2.agent.apache5;

import java.net.URI;

import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.protocol.RedirectLocations;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;

/**
 * Called at the exit of {@code DefaultRedirectStrategy.isRedirected(request, response, context)}: notes a
 * redirect answered by a host that is not IMDS (see {@link Apache5Instrumentation}), so that no later hop of the
 * exchange gets a token. The exec chains pass the exchange's first request here on every hop (HttpClient 5.1
 * does), so the hop that answered is the last of the context's redirect locations, when there is one: the first
 * request's target only answers the first hop. Reading it there keeps IMDS, another host, then IMDS again from
 * looking like a redirect within IMDS.
 */
public final class RedirectStrategyAdvice {

    private RedirectStrategyAdvice() {
    }

    @Hook.OnExit
    public static boolean exit(@Hook.Return boolean redirected,
                               @Hook.Argument(0) HttpRequest request,
                               @Hook.Argument(1) HttpResponse response,
                               @Hook.Argument(2) HttpContext context) {
        if (!redirected) {
            return false;
        }
        try {
            URIAuthority authority = request.getAuthority();
            Endpoint hop = authority == null ? null : ImdsHops.endpoint(request.getScheme(), authority.getHostName(), authority.getPort());
            RedirectLocations locations = context instanceof HttpClientContext ? ((HttpClientContext) context).getRedirectLocations() : null;
            if (locations != null && locations.size() > 0) {
                URI answered = locations.get(locations.size() - 1);
                hop = ImdsHops.endpoint(answered.getScheme(), answered.getHost(), answered.getPort());
            }
            Header location = response.getFirstHeader("Location");
            ImdsHops.afterHop(Apache5Instrumentation.CLIENT, context, hop, null, response.getCode(),
                    location == null ? null : location.getValue());
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return true;
    }
}
