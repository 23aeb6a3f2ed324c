package dev.imdsv2.agent.apache5;

import java.io.IOException;

import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.protocol.RedirectLocations;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/** Inlined into the classic {@code MainClientExec.execute(request, scope, chain)}: see {@link Apache5Instrumentation}. */
public final class ClassicExecAdvice {

    private ClassicExecAdvice() {
    }

    /** Returns true to skip the hop: it is blocked (enforce mode), and the exit advice throws. */
    @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(@Advice.Argument(0) ClassicHttpRequest request,
                         @Advice.Argument(1) ExecChain.Scope scope,
                         @Advice.Local("endpoint") Endpoint endpoint,
                         @Advice.Local("blocked") IOException blocked) {
        HttpRoute route = scope.route;
        HttpHost target = route.getTargetHost();
        endpoint = ImdsHops.endpoint(target.getSchemeName(), target.getHostName(), target.getPort());
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
    static void exit(@Advice.Argument(0) ClassicHttpRequest request,
                     @Advice.Argument(1) ExecChain.Scope scope,
                     @Advice.Return ClassicHttpResponse response,
                     @Advice.Thrown(readOnly = false) Throwable thrown,
                     @Advice.Local("endpoint") Endpoint endpoint,
                     @Advice.Local("blocked") IOException blocked) {
        if (blocked != null) {
            thrown = blocked;
        } else if (response != null) {
            int code = response.getCode();
            boolean redirect = code >= 300 && code < 400;
            if (endpoint != null || redirect) { // for other hosts, a redirect alone: it may name IMDS
                Header token = endpoint == null ? null : request.getFirstHeader(DecisionPath.TOKEN_HEADER);
                Header location = redirect ? response.getFirstHeader("Location") : null;
                ImdsHops.afterHop(Apache5Instrumentation.CLIENT, scope.clientContext, endpoint,
                        token == null ? null : token.getValue(), code, location == null ? null : location.getValue());
            }
        }
    }
}
