package dev.imdsv2.agent.apache4;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.protocol.HttpContext;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called at the start of the HttpAsyncClient exchange handlers' {@code responseReceived}: see
 * {@link Apache4Instrumentation}. The handler's context is a private field of its package-private base
 * class, read by reflection, and only for a 401 or a redirect.
 */
public final class AsyncResponseAdvice {

    private AsyncResponseAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.This Object handler, @Hook.Argument(0) HttpResponse response) {
        try {
            int status = response.getStatusLine().getStatusCode();
            if (!ImdsHops.isReportedResponse(status)) {
                return;
            }
            Object context = AsyncExchangeContexts.of(handler);
            if (!(context instanceof HttpContext)) {
                return;
            }
            Object target = ((HttpContext) context).getAttribute("http.target_host");
            Object request = ((HttpContext) context).getAttribute("http.request");
            if (target instanceof HttpHost && request instanceof HttpRequest) {
                HttpHost host = (HttpHost) target;
                Header token = ((HttpRequest) request).getFirstHeader(DecisionPath.TOKEN_HEADER);
                Header location = status == 401 ? null : response.getFirstHeader("Location");
                ImdsHops.afterHop(Apache4Instrumentation.CLIENT, context,
                        ImdsHops.endpoint(host.getSchemeName(), host.getHostName(), host.getPort()),
                        token == null ? null : token.getValue(), status, location == null ? null : location.getValue());
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
