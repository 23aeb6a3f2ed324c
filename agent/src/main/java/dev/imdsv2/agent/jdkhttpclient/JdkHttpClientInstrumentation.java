package dev.imdsv2.agent.jdkhttpclient;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.jdk.JdkHookInjector;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;

/**
 * {@code java.net.http.HttpClient} (Java 11+), {@code send} and {@code sendAsync}: patches the client's
 * internal {@code MultiExchange} as it loads, and answers its hook. Per hop, the token goes on only when
 * the hop targets IMDS and every earlier hop of the same request did too; it is put among the hop's
 * system headers, which the client builds anew for every redirect, so it never follows one. A 401 to an
 * upgraded hop is re-sent once with a fresh token, as the client re-sends for its own authentication.
 */
public final class JdkHttpClientInstrumentation implements ClassPatch {
    public static final String CLIENT = "jdk-httpclient";
    private static final String HOOK_CLASS = "jdk.internal.net.http.Imdsv2HttpClientHook";
    /** A class of the same package that is always loaded before the first request creates a MultiExchange. */
    private static final String ANCHOR_CLASS = "jdk.internal.net.http.HttpClientImpl";

    /** What the agent remembers about one request whose first hop is IMDS. */
    private static final class ExchangeState {
        /** Created on the thread that called send/sendAsync: its stack names the call site. */
        final Throwable sentFrom;
        /** A hop of this request went to a host that is not IMDS. */
        boolean leftImds;
        /** The hop the agent added its token to, the endpoint and the token, while that hop is in flight. */
        Object upgradedHop;
        Endpoint endpoint;
        String tokenAdded;
        /**
         * The copy of a hop that IMDS answered 401, re-sent once: with this fresh token it is the same request,
         * decided and counted already; without one (null) it is decided again like any tokenless request.
         */
        Object resentHop;
        String resendToken;

        ExchangeState(Throwable sentFrom) {
            this.sentFrom = sentFrom;
        }
    }

    private final Instrumentation instrumentation;
    private final DecisionPath decisions;
    private final Map<Object, ExchangeState> exchanges =
            Collections.synchronizedMap(new WeakHashMap<Object, ExchangeState>());
    private volatile ClientApi api;
    private volatile boolean hookReady;

    public JdkHttpClientInstrumentation(Instrumentation instrumentation, DecisionPath decisions) {
        this.instrumentation = instrumentation;
        this.decisions = decisions;
    }

    /** The client exists from Java 11 on (9 and 10 had only an incubator version, left alone). */
    public static boolean supportedByThisJvm() {
        String version = System.getProperty("java.specification.version", "");
        if (version.startsWith("1.")) {
            return false;
        }
        try {
            return Integer.parseInt(version) >= 11;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code ClassLoader.getPlatformClassLoader()}, a Java 9 API (the agent is compiled for 8). */
    private static ClassLoader platformClassLoader() throws Exception {
        return (ClassLoader) ClassLoader.class.getMethod("getPlatformClassLoader").invoke(null);
    }

    @Override
    public String internalName() {
        return MultiExchangePatch.TARGET;
    }

    @Override
    public byte[] patch(ClassLoader loader, Class<?> classBeingRedefined, byte[] classfile) throws Exception {
        if (loader == null || loader != platformClassLoader()) {
            return null; // only the JDK's own class, from the platform class loader
        }
        Class<?> anchor = classBeingRedefined != null ? classBeingRedefined : Class.forName(ANCHOR_CLASS, false, loader);
        // The hook must exist before the patched class can run; without it, or with a JDK whose classes
        // do not look as expected, leave the class alone.
        if (!installHook(anchor)) {
            return null;
        }
        return MultiExchangePatch.patch(classfile);
    }

    private synchronized boolean installHook(Class<?> anchor) throws Exception {
        if (hookReady) {
            return true;
        }
        ClientApi found = ClientApi.find(anchor.getClassLoader());
        if (found == null) {
            AgentLog.log().debug("java.net.http.HttpClient of this JDK has an unknown shape: left alone");
            return false;
        }
        Class<?> hook = JdkHookInjector.define(instrumentation, anchor, HOOK_CLASS, Collections.<String>emptySet());
        found.makeAccessible();
        api = found;
        hook.getField("isReportedResponse").set(null, DecisionPath.REPORTED_RESPONSES);
        hook.getField("isImds").set(null, new Predicate<URI>() {
            @Override
            public boolean test(URI uri) {
                return imdsEndpoint(uri) != null;
            }
        });
        hook.getField("onSend").set(null, new Consumer<Object[]>() {
            @Override
            public void accept(Object[] args) {
                onSend(args[0]);
            }
        });
        hook.getField("beforeHop").set(null, new Function<Object[], IOException>() {
            @Override
            public IOException apply(Object[] args) {
                return beforeHop(args[0], args[1], args[2], (URI) args[3]);
            }
        });
        hook.getField("onUnauthorized").set(null, new Function<Object[], Object>() {
            @Override
            public Object apply(Object[] args) {
                return onUnauthorized(args[0], args[1]);
            }
        });
        hook.getField("onRedirect").set(null, new Consumer<Object[]>() {
            @Override
            public void accept(Object[] args) {
                onRedirect(args[0], args[1]);
            }
        });
        hookReady = true;
        return true;
    }

    /** Retransforms the class when it was loaded before the agent (attach at run time). */
    public void retransformIfLoaded(Class<?>[] loaded) throws Exception {
        for (Class<?> c : loaded) {
            if (MultiExchangePatch.TARGET.equals(c.getName().replace('.', '/'))
                    && c.getClassLoader() != null && c.getClassLoader() == platformClassLoader()) {
                if (installHook(c)) {
                    instrumentation.retransformClasses(c);
                }
            }
        }
    }

    private Endpoint imdsEndpoint(URI uri) {
        int port = uri.getPort();
        String scheme = uri.getScheme();
        if (port == -1) {
            port = "https".equalsIgnoreCase(scheme) ? 443 : 80;
        }
        return decisions.imdsEndpoint(scheme, uri.getHost(), port);
    }

    private void onSend(Object exchange) {
        try {
            exchanges.put(exchange, new ExchangeState(new Throwable("call site")));
        } catch (Throwable t) {
            AgentLog.internalFailure("HttpClient send", t);
        }
    }

    private IOException beforeHop(Object exchange, Object firstHop, Object hop, URI uri) {
        try {
            ExchangeState state = exchanges.get(exchange);
            Endpoint endpoint = imdsEndpoint(uri);
            if (endpoint == null) {
                // A redirect away from IMDS: a later hop back into it is no longer the application's IMDS request.
                if (state != null) {
                    state.leftImds = true;
                }
                return null;
            }
            ClientApi client = api;
            if (state != null && hop == state.resentHop && state.resendToken != null) {
                // The re-send after a 401: the same request as the hop before it, already decided and counted.
                client.setSystemHeader(hop, DecisionPath.TOKEN_HEADER, state.resendToken);
                state.upgradedHop = hop;
                state.tokenAdded = state.resendToken;
                state.resendToken = null;
                return null;
            }
            boolean redirectedFromElsewhere = hop != firstHop && (state == null || state.leftImds);
            boolean forwarded = DecisionPath.carriesRelayHeader(new DecisionPath.Headers() {
                @Override
                public boolean has(String name) throws Exception {
                    return client.hasHeader(hop, name);
                }
            });
            Decision decision = decisions.decide(new ImdsRequest(CLIENT, endpoint, client.method(hop), uri.getPath(),
                    client.hasHeader(hop, DecisionPath.TOKEN_HEADER),
                    forwarded,
                    client.proxied(hop), redirectedFromElsewhere, state == null ? null : state.sentFrom));
            if (decision.isBlocked()) {
                return decision.failure();
            }
            if (decision.token() != null) {
                client.setSystemHeader(hop, DecisionPath.TOKEN_HEADER, decision.token());
                if (state == null) {
                    state = new ExchangeState(null);
                    exchanges.put(exchange, state);
                }
                state.upgradedHop = hop;
                state.endpoint = endpoint;
                state.tokenAdded = decision.token();
            }
        } catch (Throwable t) {
            AgentLog.internalFailure("HttpClient request", t);
        }
        return null;
    }

    /**
     * A 401 to a hop the agent upgraded: the token is dropped, and the hop is re-sent once (IMDS dropped the token:
     * expired early, restarted, or the request waited past the token's use), so a request that would have worked
     * without the agent does not fail because of it: with a fresh token, or, when none can be had, decided again
     * like any tokenless request (passed in upgrade mode, blocked in enforce), as HttpURLConnection does.
     * Returns the copy to send, or null.
     */
    private Object onUnauthorized(Object exchange, Object hop) {
        try {
            ExchangeState state = exchanges.get(exchange);
            if (state == null || state.tokenAdded == null || state.upgradedHop != hop) {
                return null;
            }
            decisions.unauthorized(CLIENT, state.endpoint, state.tokenAdded);
            state.tokenAdded = null;
            state.upgradedHop = null;
            ClientApi client = api;
            if (state.resentHop != null || !client.canResend()) {
                return null;
            }
            Object copy = client.copyForResend(hop);
            state.resentHop = copy;
            state.resendToken = decisions.freshToken(state.endpoint);
            return copy;
        } catch (Throwable t) {
            AgentLog.internalFailure("HttpClient response", t);
            return null;
        }
    }

    /**
     * A hop answered a redirect: when the hop is not IMDS and the {@code Location} targets it, a request there in the
     * next seconds gets no token, even one that code following the redirect by hand sends as a new request.
     */
    private void onRedirect(Object hop, Object response) {
        try {
            ClientApi client = api;
            String location = client.responseHeader(response, "Location");
            if (location != null) {
                URI uri = client.uri(hop);
                decisions.redirectAnswered(imdsEndpoint(uri), uri.getScheme(), uri.resolve(location.trim()).toString());
            }
        } catch (IllegalArgumentException notAUri) {
            // The client cannot follow it either.
        } catch (Throwable t) {
            AgentLog.internalFailure("HttpClient redirect", t);
        }
    }

    /**
     * The parts of the client the agent reads and writes, by reflection (only ever for IMDS hops): the
     * public API of {@code java.net.http.HttpRequest}/{@code HttpHeaders}, and two methods of the internal
     * {@code HttpRequestImpl}, whose package {@link JdkHookInjector} opens to the agent. Also checks that
     * the internal methods the patch calls exist.
     */
    private static final class ClientApi {
        private final Method method;
        private final Method headers;
        private final Method firstValue;
        private final Method proxy;
        private final Method setSystemHeader;
        private final Method uri;
        /** {@code Response.headers()}: the response's headers; null if absent. */
        private final Method responseHeaders;
        /** {@code HttpRequestImpl.newInstanceForAuthentication}: a copy of a hop without its system headers; null if absent. */
        private final Method copyForResend;

        private ClientApi(Method method, Method headers, Method firstValue, Method proxy, Method setSystemHeader,
                          Method uri, Method responseHeaders, Method copyForResend) {
            this.method = method;
            this.headers = headers;
            this.firstValue = firstValue;
            this.proxy = proxy;
            this.setSystemHeader = setSystemHeader;
            this.uri = uri;
            this.responseHeaders = responseHeaders;
            this.copyForResend = copyForResend;
        }

        /** The methods, or null when this JDK's client does not have them. */
        static ClientApi find(ClassLoader loader) {
            try {
                Class<?> httpRequest = Class.forName("java.net.http.HttpRequest", false, loader);
                Class<?> httpHeaders = Class.forName("java.net.http.HttpHeaders", false, loader);
                Class<?> requestImpl = Class.forName("jdk.internal.net.http.HttpRequestImpl", false, loader);
                Class<?> response = Class.forName("jdk.internal.net.http.Response", false, loader);
                // Called by the patched bytecode: must be there, with these types, or nothing is patched.
                if (response.getDeclaredMethod("request").getReturnType() != requestImpl
                        || response.getDeclaredMethod("statusCode").getReturnType() != int.class
                        || requestImpl.getMethod("uri").getReturnType() != URI.class) {
                    return null;
                }
                Method proxy = requestImpl.getDeclaredMethod("proxy");
                if (proxy.getReturnType().isPrimitive()) {
                    return null;
                }
                Method responseHeaders;
                try {
                    responseHeaders = response.getDeclaredMethod("headers");
                    if (responseHeaders.getReturnType() != httpHeaders) {
                        responseHeaders = null;
                    }
                } catch (NoSuchMethodException e) {
                    responseHeaders = null; // redirects are not read on this JDK; the rest works
                }
                Method copy;
                try {
                    copy = requestImpl.getMethod("newInstanceForAuthentication", requestImpl);
                    if (copy.getReturnType() != requestImpl || !Modifier.isStatic(copy.getModifiers())) {
                        copy = null;
                    }
                } catch (NoSuchMethodException e) {
                    copy = null; // no re-send after a 401 on this JDK; the rest works
                }
                return new ClientApi(httpRequest.getMethod("method"), httpRequest.getMethod("headers"),
                        httpHeaders.getMethod("firstValue", String.class), proxy,
                        requestImpl.getMethod("setSystemHeader", String.class, String.class), requestImpl.getMethod("uri"),
                        responseHeaders, copy);
            } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
                return null;
            }
        }

        /** After the package is opened to the agent. */
        void makeAccessible() {
            proxy.setAccessible(true);
            setSystemHeader.setAccessible(true);
            if (responseHeaders != null) {
                responseHeaders.setAccessible(true);
            }
            if (copyForResend != null) {
                copyForResend.setAccessible(true);
            }
        }

        boolean canResend() {
            return copyForResend != null;
        }

        /** The same request to the same URI (user headers, body, timeout, proxy), without the system headers. */
        Object copyForResend(Object hop) throws Exception {
            return copyForResend.invoke(null, hop);
        }

        String method(Object hop) throws Exception {
            return (String) method.invoke(hop);
        }

        boolean hasHeader(Object hop, String name) throws Exception {
            return ((Optional<?>) firstValue.invoke(headers.invoke(hop), name)).isPresent();
        }

        URI uri(Object hop) throws Exception {
            return (URI) uri.invoke(hop);
        }

        /** A header of a {@code jdk.internal.net.http.Response}, or null (also when this JDK's responses cannot be read). */
        String responseHeader(Object response, String name) throws Exception {
            return responseHeaders == null ? null
                    : (String) ((Optional<?>) firstValue.invoke(responseHeaders.invoke(response), name)).orElse(null);
        }

        /** The hop goes through an HTTP proxy (the client connects to it, not to IMDS). */
        boolean proxied(Object hop) throws Exception {
            return proxy.invoke(hop) != null;
        }

        void setSystemHeader(Object hop, String name, String value) throws Exception {
            setSystemHeader.invoke(hop, name, value);
        }
    }
}
