package dev.imdsv2.agent.okhttp;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Proxy;
import java.util.List;

import okhttp3.Connection;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.connection.ConnectInterceptor;
import okhttp3.internal.http.RetryAndFollowUpInterceptor;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called from {@code okhttp3.internal.http.RealInterceptorChain.proceed}: see {@link OkHttpInstrumentation}.
 * Only OkHttp API common to 3.12, 3.14, 4 and 5 is used here (the Kotlin versions keep the Java method names).
 */
public final class OkHttpChainAdvice {

    private OkHttpChainAdvice() {
    }

    /**
     * On a network hop to IMDS: the request to go on with, carrying the token when the hop is upgraded. Throws the
     * enforce-mode failure when the hop is blocked; the call fails with it as with any failure to connect.
     */
    @Hook.OnEnter(assigns = 0)
    public static Request enter(@Hook.This Interceptor.Chain chain,
                                @Hook.Field("interceptors") List<?> interceptors,
                                @Hook.Field("index") int index,
                                @Hook.Argument(0) Request request,
                                @Hook.Argument(value = 2, optional = true) Object okhttp314Exchange,
                                @Hook.Argument(value = 3, optional = true) Object okhttp312Connection) throws IOException {
        try {
            if (!isNetworkHop(interceptors, index)) {
                return request;
            }
            HttpUrl url = request.url();
            Endpoint endpoint = ImdsHops.endpoint(url.scheme(), url.host(), url.port());
            if (endpoint == null) {
                return request;
            }
            // 3.12 passes the connection itself, 3.13/3.14 an Exchange that holds it; 4 and 5 have it on the chain.
            Connection connection = okhttp312Connection instanceof Connection ? (Connection) okhttp312Connection
                    : okhttp314Exchange != null ? connectionOf(okhttp314Exchange) : chain.connection();
            boolean proxied = connection == null || connection.route().proxy().type() != Proxy.Type.DIRECT;
            boolean forwarded = ImdsHops.carriesRelayHeader(request, Request.class, "header");
            String token = ImdsHops.hop(OkHttpInstrumentation.CLIENT, endpoint, chain.call())
                    .request(request.method(), url.encodedPath(), request.header(DecisionPath.TOKEN_HEADER))
                    .forwarded(forwarded).proxied(proxied).decide();
            return token == null ? request : request.newBuilder().header(DecisionPath.TOKEN_HEADER, token).build();
        } catch (IOException blocked) {
            throw blocked;
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
            return request;
        }
    }

    /**
     * On a network hop: reports the response (a 401 to the token, a redirect). On the whole call: when IMDS
     * answered 401 to the token this agent added, closes that response and proceeds once more, as an application
     * interceptor may, so the request goes out again with a fresh token instead of the 401 reaching the caller.
     */
    @Hook.OnExit
    public static Response exit(@Hook.Return Response response,
                                @Hook.This Interceptor.Chain chain,
                                @Hook.Field("interceptors") List<?> interceptors,
                                @Hook.Field("index") int index,
                                @Hook.Argument(0) Request request) throws IOException {
        try {
            if (response == null) {
                return null;
            }
            if (isNetworkHop(interceptors, index)) {
                HttpUrl url = request.url();
                Endpoint endpoint = ImdsHops.endpoint(url.scheme(), url.host(), url.port());
                int code = response.code();
                ImdsHops.afterHop(OkHttpInstrumentation.CLIENT, chain.call(), endpoint,
                        endpoint == null ? null : request.header(DecisionPath.TOKEN_HEADER), code,
                        ImdsHops.isRedirect(code) ? response.header("Location") : null);
                return response;
            }
            if (!isWholeCall(interceptors, index) || response.code() != 401 || !ImdsHops.takeResend(chain.call())) {
                return response;
            }
            response.close();
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
            return response;
        }
        return chain.proceed(request); // the re-send's own failure is the caller's, as any failure of the call would be
    }

    /** The chain passes the request on from {@code ConnectInterceptor}: once per hop, its connection known. */
    private static boolean isNetworkHop(List<?> interceptors, int index) {
        return index > 0 && index <= interceptors.size() && interceptors.get(index - 1) instanceof ConnectInterceptor;
    }

    /** The chain passes the request to {@code RetryAndFollowUpInterceptor}: the whole call, redirects and retries included. */
    private static boolean isWholeCall(List<?> interceptors, int index) {
        return index < interceptors.size() && interceptors.get(index) instanceof RetryAndFollowUpInterceptor;
    }

    /**
     * OkHttp 3.13 and 3.14 pass the network hop an {@code okhttp3.internal.connection.Exchange}, a class the other
     * versions do not have; its {@code connection()} is reached by reflection, only for IMDS hops.
     */
    private static Connection connectionOf(Object exchange) {
        try {
            Method connection = exchange.getClass().getMethod("connection");
            Object value = connection.invoke(exchange);
            return value instanceof Connection ? (Connection) value : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // treated as proxied: not upgraded
        }
    }
}
