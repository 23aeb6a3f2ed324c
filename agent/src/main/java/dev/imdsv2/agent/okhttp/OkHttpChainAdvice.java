package dev.imdsv2.agent.okhttp;

import java.io.IOException;
import java.net.Proxy;
import java.util.List;

import net.bytebuddy.asm.Advice;
import okhttp3.Connection;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.connection.ConnectInterceptor;
import okhttp3.internal.http.RetryAndFollowUpInterceptor;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Inlined into {@code okhttp3.internal.http.RealInterceptorChain.proceed}: see {@link OkHttpInstrumentation}.
 * Only OkHttp API common to 3.12, 3.14, 4 and 5 is used here (the Kotlin versions keep the Java method names).
 */
public final class OkHttpChainAdvice {

    private OkHttpChainAdvice() {
    }

    /** Returns true to skip {@code proceed}: the request is blocked (enforce mode), and the exit advice throws. */
    @Advice.OnMethodEnter(suppress = Throwable.class, skipOn = Advice.OnNonDefaultValue.class)
    static boolean enter(@Advice.This Interceptor.Chain chain,
                         @Advice.FieldValue("interceptors") List<?> interceptors,
                         @Advice.FieldValue("index") int index,
                         @Advice.Argument(value = 0, readOnly = false) Request request,
                         @Advice.Argument(value = 2, optional = true) Object okhttp314Exchange,
                         @Advice.Argument(value = 3, optional = true) Object okhttp312Connection,
                         @Advice.Local("network") boolean network,
                         @Advice.Local("call") boolean call,
                         @Advice.Local("endpoint") Endpoint endpoint,
                         @Advice.Local("blocked") IOException blocked) {
        if (index < interceptors.size() && interceptors.get(index) instanceof RetryAndFollowUpInterceptor) {
            call = true; // the whole call, redirects and retries included: where a 401 to the token is re-sent
            return false;
        }
        if (index == 0 || !(interceptors.get(index - 1) instanceof ConnectInterceptor)) {
            return false;
        }
        network = true;
        HttpUrl url = request.url();
        endpoint = ImdsHops.endpoint(url.scheme(), url.host(), url.port());
        if (endpoint == null) {
            return false;
        }
        // 3.12 passes the connection itself, 3.13/3.14 an Exchange that holds it; 4 and 5 have it on the chain.
        Connection connection = okhttp312Connection instanceof Connection ? (Connection) okhttp312Connection
                : okhttp314Exchange != null ? OkHttpConnections.ofExchange(okhttp314Exchange) : chain.connection();
        boolean proxied = connection == null || connection.route().proxy().type() != Proxy.Type.DIRECT;
        boolean forwarded = false;
        for (String relayHeader : DecisionPath.RELAY_HEADERS) {
            forwarded |= request.header(relayHeader) != null;
        }
        String token;
        try {
            token = ImdsHops.beforeHop(OkHttpInstrumentation.CLIENT, endpoint, chain.call(), false, request.method(),
                    url.encodedPath(), request.header(DecisionPath.TOKEN_HEADER), forwarded, proxied, false);
        } catch (IOException e) {
            blocked = e;
            return true;
        }
        if (token != null) {
            request = request.newBuilder().header(DecisionPath.TOKEN_HEADER, token).build();
        }
        return false;
    }

    /**
     * On a network hop: reports the response (a 401 to the token, a redirect). On the whole call: when IMDS
     * answered 401 to the token this agent added, closes that response and proceeds once more, as an application
     * interceptor may, so the request goes out again with a fresh token instead of the 401 reaching the caller.
     */
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Interceptor.Chain chain,
                     @Advice.Argument(0) Request request,
                     @Advice.Return(readOnly = false) Response response,
                     @Advice.Thrown(readOnly = false) Throwable thrown,
                     @Advice.Local("network") boolean network,
                     @Advice.Local("call") boolean call,
                     @Advice.Local("endpoint") Endpoint endpoint,
                     @Advice.Local("blocked") IOException blocked) {
        if (blocked != null) {
            thrown = blocked;
        } else if (network && response != null) {
            int code = response.code();
            ImdsHops.afterHop(OkHttpInstrumentation.CLIENT, chain.call(), endpoint,
                    endpoint == null ? null : request.header(DecisionPath.TOKEN_HEADER), code,
                    code >= 300 && code < 400 ? response.header("Location") : null);
        } else if (call && response != null && response.code() == 401 && ImdsHops.takeResend(chain.call())) {
            response.close();
            response = null;
            try {
                response = chain.proceed(request);
            } catch (Throwable t) {
                thrown = t; // the re-send's own failure is the caller's, as any failure of the call would be
            }
        }
    }
}
