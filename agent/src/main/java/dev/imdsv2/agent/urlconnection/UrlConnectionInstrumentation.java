package dev.imdsv2.agent.urlconnection;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.jdk.JdkHookInjector;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;

/**
 * {@code HttpURLConnection} (and so {@code URL.openStream()}): patches the JDK class as it loads, and
 * answers its hook. Per hop, the token goes on only when the hop targets IMDS and every earlier hop
 * of the same connection did too; on a redirect the agent's token is taken off again.
 */
public final class UrlConnectionInstrumentation implements ClassPatch {
    public static final String CLIENT = "urlconnection";
    private static final String HOOK_CLASS = "sun.net.www.protocol.http.Imdsv2Hook";
    private static final String ANCHOR_CLASS = "sun.net.www.protocol.http.Handler";

    /** What the agent remembers about one connection; only IMDS connections and redirected ones get an entry. */
    private static final class ConnectionState {
        Endpoint endpoint;
        /** The token the agent put into the request headers, while it is there. */
        String tokenAdded;
        /** A hop of this connection answered from a host that is not IMDS. */
        boolean leftImds;
        /** The request was re-sent once after a 401 already. */
        boolean resent;
    }

    private final Instrumentation instrumentation;
    private final DecisionPath decisions;
    private final Map<Object, ConnectionState> connections =
            Collections.synchronizedMap(new WeakHashMap<Object, ConnectionState>());
    private volatile boolean hookReady;
    /** The patched class can re-send a request after a 401 (its JDK has {@code followRedirect0}). */
    private volatile boolean retriesUnauthorized;

    public UrlConnectionInstrumentation(Instrumentation instrumentation, DecisionPath decisions) {
        this.instrumentation = instrumentation;
        this.decisions = decisions;
    }

    @Override
    public String internalName() {
        return HttpUrlConnectionPatch.TARGET;
    }

    @Override
    public byte[] patch(ClassLoader loader, Class<?> classBeingRedefined, byte[] classfile) throws Exception {
        if (loader != null) {
            return null; // only the JDK's own class
        }
        // The hook must exist before the patched class can run; without it, leave the class alone.
        installHook(classBeingRedefined != null ? classBeingRedefined : Class.forName(ANCHOR_CLASS, false, null));
        HttpUrlConnectionPatch.Patched patched = HttpUrlConnectionPatch.patch(classfile);
        if (patched == null) {
            return null;
        }
        retriesUnauthorized = patched.retriesUnauthorized;
        return patched.classfile;
    }

    private synchronized void installHook(Class<?> anchor) throws Exception {
        if (hookReady) {
            return;
        }
        Class<?> hook = JdkHookInjector.define(instrumentation, anchor, HOOK_CLASS, Collections.singleton("sun.net.www"));
        hook.getField("isReportedResponse").set(null, DecisionPath.REPORTED_RESPONSES);
        hook.getField("isImds").set(null, new Predicate<URL>() {
            @Override
            public boolean test(URL url) {
                return decisions.imdsEndpoint(url) != null;
            }
        });
        hook.getField("beforeHop").set(null, new Function<Object[], IOException>() {
            @Override
            public IOException apply(Object[] args) {
                return beforeHop(args[0], (URL) args[1], (String) args[2], args[3]);
            }
        });
        hook.getField("afterResponse").set(null, new Predicate<Object[]>() {
            @Override
            public boolean test(Object[] args) {
                return afterResponse(args[0], (URL) args[1], (Integer) args[2], args[3]);
            }
        });
        hookReady = true;
    }

    /** Retransforms the class when it was loaded before the agent (attach at run time). */
    public void retransformIfLoaded(Class<?>[] loaded) throws Exception {
        for (Class<?> c : loaded) {
            if (c.getClassLoader() == null && HttpUrlConnectionPatch.TARGET.equals(c.getName().replace('.', '/'))) {
                installHook(c);
                instrumentation.retransformClasses(c);
            }
        }
    }

    private IOException beforeHop(Object connection, URL url, String method, Object requests) {
        try {
            Endpoint endpoint = decisions.imdsEndpoint(url);
            if (endpoint == null) {
                return null;
            }
            ConnectionState state = connections.get(connection);
            String tokenHeader = MessageHeaders.find(requests, DecisionPath.TOKEN_HEADER);
            if (state != null && state.tokenAdded != null && state.tokenAdded.equals(tokenHeader)) {
                return null; // the same hop written again (a retry after a stale connection): decided already
            }
            boolean forwarded = DecisionPath.carriesRelayHeader(new DecisionPath.Headers() {
                @Override
                public boolean has(String name) throws Exception {
                    return MessageHeaders.find(requests, name) != null;
                }
            });
            boolean proxied = connection instanceof HttpURLConnection && ((HttpURLConnection) connection).usingProxy();
            Decision decision = decisions.decide(new ImdsRequest(CLIENT, endpoint, method, url.getPath(),
                    tokenHeader != null, forwarded, proxied, state != null && state.leftImds));
            if (decision.isBlocked()) {
                return decision.failure();
            }
            if (decision.token() != null) {
                MessageHeaders.set(requests, DecisionPath.TOKEN_HEADER, decision.token());
                if (state == null) {
                    state = new ConnectionState();
                    connections.put(connection, state);
                }
                state.endpoint = endpoint;
                state.tokenAdded = decision.token();
            }
        } catch (Throwable t) {
            AgentLog.internalFailure("HttpURLConnection request", t);
        }
        return null;
    }

    /** True when the request is to be sent once more: a 401 to an upgraded request, and a fresh token is in it now. */
    private boolean afterResponse(Object connection, URL url, int responseCode, Object requests) {
        try {
            if (decisions.config().mode() == Mode.OFF) {
                return false;
            }
            ConnectionState state = connections.get(connection);
            boolean oursWasSent = state != null && state.tokenAdded != null
                    && state.tokenAdded.equals(MessageHeaders.find(requests, DecisionPath.TOKEN_HEADER));
            if (responseCode == 401) {
                if (!oursWasSent) {
                    return false;
                }
                decisions.unauthorized(CLIENT, state.endpoint, state.tokenAdded);
                state.tokenAdded = null;
                // IMDS dropped the token (expired early, IMDS restarted): one re-send, so a request that would
                // have worked without the agent does not fail because of it. With a fresh token it is the same,
                // already counted request; without one it goes back through beforeHop and is decided again like
                // any tokenless request (passed in upgrade mode, blocked in enforce).
                if (!retriesUnauthorized || state.resent) {
                    return false;
                }
                String fresh = decisions.freshToken(state.endpoint);
                if (fresh != null) {
                    MessageHeaders.set(requests, DecisionPath.TOKEN_HEADER, fresh);
                    state.tokenAdded = fresh;
                } else {
                    MessageHeaders.remove(requests, DecisionPath.TOKEN_HEADER);
                }
                state.resent = true;
                return true;
            }
            // A redirect may follow: the next hop must not inherit the token, and a hop from a
            // non-IMDS host taints the connection, so a redirect from it into IMDS gets no token. Code that
            // follows the redirect itself, with a new connection, is caught by the decision path's note of it.
            if (decisions.imdsEndpoint(url) == null) {
                if (state == null) {
                    state = new ConnectionState();
                    connections.put(connection, state);
                }
                state.leftImds = true;
                String location = MessageHeaders.responseHeader(connection, "Location");
                if (location != null) {
                    decisions.redirectAnswered(null, url.getProtocol(), new URL(url, location).toString());
                }
            }
            if (oursWasSent) {
                MessageHeaders.remove(requests, DecisionPath.TOKEN_HEADER);
            }
            if (state != null) {
                state.tokenAdded = null;
            }
        } catch (Throwable t) {
            AgentLog.internalFailure("HttpURLConnection response", t);
        }
        return false;
    }

    /**
     * {@code sun.net.www.MessageHeader}, reached by reflection: its package, and the connection's, are opened to
     * the agent at install.
     */
    private static final class MessageHeaders {
        private static volatile Method find;
        private static volatile Method set;
        private static volatile Method remove;
        /** The connection's private {@code responses}: the headers of the response being handled. */
        private static volatile Field responses;

        static String responseHeader(Object connection, String name) throws Exception {
            if (responses == null) {
                Field field = Class.forName(HttpUrlConnectionPatch.TARGET.replace('/', '.'), false, null)
                        .getDeclaredField("responses");
                field.setAccessible(true);
                responses = field;
            }
            Object headers = responses.get(connection);
            return headers == null ? null : find(headers, name);
        }

        static String find(Object headers, String name) throws Exception {
            if (find == null) {
                find = headers.getClass().getMethod("findValue", String.class);
            }
            return (String) find.invoke(headers, name);
        }

        static void set(Object headers, String name, String value) throws Exception {
            if (set == null) {
                set = headers.getClass().getMethod("set", String.class, String.class);
            }
            set.invoke(headers, name, value);
        }

        static void remove(Object headers, String name) throws Exception {
            if (remove == null) {
                remove = headers.getClass().getMethod("remove", String.class);
            }
            remove.invoke(headers, name);
        }
    }
}
