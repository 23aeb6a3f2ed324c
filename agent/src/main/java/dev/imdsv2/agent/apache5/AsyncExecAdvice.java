package dev.imdsv2.agent.apache5;

import java.io.IOException;

import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.protocol.RedirectLocations;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Inlined into {@code HttpAsyncMainClientExec.execute(request, entityProducer, scope, chain, callback)}: see
 * {@link Apache5Instrumentation}. It reads what {@link ClassicExecAdvice} reads, from the async scope type.
 * The lines are repeated on purpose: advice is inlined into the client's own class and resolves HttpClient's
 * types through the application's class loader; a shared helper in the agent jar, on the system class path,
 * could not see them when the application keeps its libraries in a child loader (a Spring Boot jar).
 */
public final class AsyncExecAdvice {

    private AsyncExecAdvice() {
    }

    /** Returns true to skip the hop: it is blocked (enforce mode), and the exit advice throws. */
    @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(@Advice.Argument(0) HttpRequest request,
                         @Advice.Argument(2) AsyncExecChain.Scope scope,
                         @Advice.Local("blocked") IOException blocked) {
        HttpRoute route = scope.route;
        HttpHost target = route.getTargetHost();
        Endpoint endpoint = ImdsHops.endpoint(target.getSchemeName(), target.getHostName(), target.getPort());
        if (endpoint == null) {
            return false;
        }
        RedirectLocations redirects = scope.clientContext.getRedirectLocations();
        boolean forwarded = false;
        for (String relayHeader : DecisionPath.RELAY_HEADERS) {
            forwarded |= request.containsHeader(relayHeader);
        }
        Header tokenHeader = request.getFirstHeader(DecisionPath.TOKEN_HEADER);
        try {
            String token = ImdsHops.beforeHop(Apache5Instrumentation.CLIENT, endpoint, scope.clientContext,
                    redirects == null || redirects.size() == 0, request.getMethod(), request.getPath(),
                    tokenHeader == null ? null : tokenHeader.getValue(), forwarded, route.getProxyHost() != null, false);
            if (token != null) {
                request.setHeader(DecisionPath.TOKEN_HEADER, token);
            }
        } catch (IOException e) {
            blocked = e;
            return true;
        }
        return false;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Thrown(readOnly = false) Throwable thrown, @Advice.Local("blocked") IOException blocked) {
        if (blocked != null) {
            thrown = blocked;
        }
    }
}
