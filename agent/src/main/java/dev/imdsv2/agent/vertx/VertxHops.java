package dev.imdsv2.agent.vertx;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.log.AgentLog;

/**
 * What the Vert.x advice shares (see {@link VertxInstrumentation}). The advice lives in the class loader of Vert.x's
 * classes, whichever that is, and this class in the agent's, so it takes JDK types only; Vert.x and Netty objects arrive as
 * {@code Object} and are only reached by reflection on the enforce-mode path.
 */
public final class VertxHops {
    /**
     * Put by the redirect-handler advice on the options of a hop that a host other than IMDS redirected into IMDS,
     * and carried on by Vert.x into later hops with the other headers; {@link CreateRequestAdvice} takes it off the
     * Netty request, so it never goes on the wire.
     */
    public static final String REDIRECTED_FROM_ELSEWHERE = "X-Imdsv2-Agent-Redirected-From-Elsewhere";

    /** Set once the first marker is put on: until then no request is looked at for one. */
    public static volatile boolean redirectMarksInUse;

    /** The token to put on the Netty request that {@code beginRequest} is about to build on this thread. */
    private static final ThreadLocal<String> PENDING_TOKEN = new ThreadLocal<String>();

    /** The latest upgraded hop per connection (HTTP/1.x: its response is the next one), for a 401. */
    private static final Map<Object, UpgradedHop> UPGRADED =
            Collections.synchronizedMap(new WeakHashMap<Object, UpgradedHop>());

    private static final class UpgradedHop {
        final Endpoint endpoint;
        final String token;

        UpgradedHop(Endpoint endpoint, String token) {
            this.endpoint = endpoint;
            this.token = token;
        }
    }

    private VertxHops() {
    }

    /**
     * Whether the connection's actual peer is the endpoint itself: not so through a SOCKS proxy (or an HTTP proxy
     * tunnel), whose handler connects the channel to the proxy.
     */
    public static boolean peerIs(Endpoint endpoint, String scheme, SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress)) {
            return false;
        }
        InetSocketAddress address = (InetSocketAddress) peer;
        return endpoint.matches(scheme, address.getHostString(), address.getPort())
                || (address.getAddress() != null && endpoint.matches(scheme, address.getAddress().getHostAddress(), address.getPort()));
    }

    /**
     * Decides one hop to IMDS on {@code connection}: returns normally when it may go out (with the token, if any,
     * pending for {@link #takePendingToken}), throws the enforce-mode failure when it may not.
     */
    public static void beforeHop(Object connection, Endpoint endpoint, String method, String uri, String tokenOnRequest,
                                 boolean forwarded, boolean proxied, boolean redirectedFromElsewhere) throws IOException {
        // The connection is the exchange: each hop is decided afresh (firstHop), the redirect history comes in the head.
        String token = ImdsHops.hop(VertxInstrumentation.CLIENT, endpoint, connection).firstHop(true)
                .request(method, uri, tokenOnRequest).forwarded(forwarded).proxied(proxied)
                .redirectedFromElsewhere(redirectedFromElsewhere).decide();
        if (token != null) {
            UPGRADED.put(connection, new UpgradedHop(endpoint, token));
            PENDING_TOKEN.set(token);
        } else {
            UPGRADED.remove(connection);
        }
    }

    /** The token decided for the request being built on this thread, once; null when none. */
    public static String takePendingToken() {
        String token = PENDING_TOKEN.get();
        if (token != null) {
            PENDING_TOKEN.remove();
        }
        return token;
    }

    /** A response on {@code connection} is a 401: when the connection's latest hop was upgraded, IMDS dropped that token. */
    public static void unauthorized(Object connection) {
        if (UPGRADED.isEmpty()) {
            return;
        }
        UpgradedHop hop = UPGRADED.remove(connection);
        if (hop != null) {
            ImdsHops.afterHop(VertxInstrumentation.CLIENT, connection, hop.endpoint, hop.token, 401, null);
        }
    }

    /**
     * Fails a hop that enforce mode refused, before anything of it is written: its request fails with the agent's
     * exception, and the connection, which now has a stream it will never finish, is closed.
     */
    public static void failHop(Object stream, Object connection, IOException failure) {
        try {
            Method handleException = findMethod(stream.getClass(), "handleException", Throwable.class);
            handleException.setAccessible(true);
            handleException.invoke(stream, failure);
        } catch (Throwable t) {
            AgentLog.internalFailure(VertxInstrumentation.CLIENT + " enforce", t);
        } finally {
            try {
                connection.getClass().getMethod("close").invoke(connection);
            } catch (Throwable t) {
                AgentLog.internalFailure(VertxInstrumentation.CLIENT + " enforce", t);
            }
        }
    }

    private static Method findMethod(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredMethod(name, parameters);
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name);
    }
}
