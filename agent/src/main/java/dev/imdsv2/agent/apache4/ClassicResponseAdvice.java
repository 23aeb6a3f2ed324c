package dev.imdsv2.agent.apache4;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.protocol.HttpContext;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/** Called at the exit of the classic {@code HttpRequestExecutor.execute}: see {@link Apache4Instrumentation}. */
public final class ClassicResponseAdvice {

    private ClassicResponseAdvice() {
    }

    @Hook.OnExit
    public static HttpResponse exit(@Hook.Return HttpResponse response,
                                    @Hook.Argument(0) HttpRequest request,
                                    @Hook.Argument(2) HttpContext context) {
        try {
            if (response == null || context == null) {
                return response;
            }
            int status = response.getStatusLine().getStatusCode();
            if (!ImdsHops.isReportedResponse(status)) {
                return response;
            }
            Object target = context.getAttribute("http.target_host");
            if (target instanceof HttpHost) {
                HttpHost host = (HttpHost) target;
                Header token = request.getFirstHeader(DecisionPath.TOKEN_HEADER);
                Header location = status == 401 ? null : response.getFirstHeader("Location");
                ImdsHops.afterHop(Apache4Instrumentation.CLIENT, context,
                        ImdsHops.endpoint(host.getSchemeName(), host.getHostName(), host.getPort()),
                        token == null ? null : token.getValue(), status, location == null ? null : location.getValue());
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
        return response;
    }
}
