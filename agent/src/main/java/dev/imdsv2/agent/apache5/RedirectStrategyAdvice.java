package dev.imdsv2.agent.apache5;

import net.bytebuddy.asm.Advice;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

import dev.imdsv2.agent.clients.ImdsHops;

/**
 * Inlined at the exit of {@code DefaultRedirectStrategy.isRedirected(request, response, context)}: notes a
 * redirect answered by a host that is not IMDS (see {@link Apache5Instrumentation}).
 */
public final class RedirectStrategyAdvice {

    private RedirectStrategyAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.Argument(0) HttpRequest request,
                     @Advice.Argument(1) HttpResponse response,
                     @Advice.Argument(2) HttpContext context,
                     @Advice.Return boolean redirected) {
        if (redirected) {
            URIAuthority authority = request.getAuthority();
            ImdsHops.afterHop(Apache5Instrumentation.CLIENT, context, authority == null ? null
                    : ImdsHops.endpoint(request.getScheme(), authority.getHostName(), authority.getPort()),
                    null, response.getCode());
        }
    }
}
