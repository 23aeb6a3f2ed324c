package dev.imdsv2.agent.reactornetty;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;

/**
 * What the Reactor Netty advice needs beyond {@link ImdsHops}, in JDK types only (the advice is inlined into
 * Reactor Netty's class, in whatever class loader that lives): the hop's URL taken apart, and the hops this
 * agent put a token on.
 */
public final class ReactorNettyHops {
    /** Hops (their {@code HttpClientOperations}) that carry a token this agent added, until their response. */
    private static final Map<Object, String> TOKENS_ADDED =
            Collections.synchronizedMap(new WeakHashMap<Object, String>());

    private ReactorNettyHops() {
    }

    /**
     * The IMDS endpoint that a hop's URL ({@code resourceUrl()}: scheme, host, port as the request named them,
     * path) targets, or null. Only {@code http} and {@code https} URLs can be IMDS; for those the host is cut
     * out of the URL, the one allocation here.
     */
    public static Endpoint endpoint(String url) {
        if (url == null) {
            return null;
        }
        String scheme;
        if (url.startsWith("http://")) {
            scheme = "http";
        } else if (url.startsWith("https://")) {
            scheme = "https";
        } else {
            return null; // ws, wss
        }
        int start = scheme.length() + 3;
        int end = start;
        while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?' && url.charAt(end) != '#') {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        if (at >= start) {
            start = at + 1;
        }
        int colon = url.lastIndexOf(':', end - 1);
        int bracket = url.lastIndexOf(']', end - 1);
        int port = -1;
        int hostEnd = end;
        if (colon > start && colon > bracket) {
            port = 0;
            for (int i = colon + 1; i < end; i++) {
                char c = url.charAt(i);
                if (c < '0' || c > '9' || port > 65535) {
                    return null;
                }
                port = port * 10 + (c - '0');
            }
            hostEnd = colon;
        }
        return ImdsHops.endpoint(scheme, url.substring(start, hostEnd), port);
    }

    /** The channel is connected straight to the endpoint's port (not to a proxy, say). */
    public static boolean connectedTo(SocketAddress remote, Endpoint endpoint) {
        return remote instanceof InetSocketAddress && ((InetSocketAddress) remote).getPort() == endpoint.port();
    }

    /** Some hop before this one (Reactor Netty lists their URLs) was not to IMDS. */
    public static boolean anyElsewhere(String[] redirectedFrom) {
        for (String from : redirectedFrom) {
            if (endpoint(from) == null) {
                return true;
            }
        }
        return false;
    }

    public static void added(Object hop, String token) {
        TOKENS_ADDED.put(hop, token);
    }

    /** True when {@code token} on this hop is the one this agent added; forgets the hop. */
    public static boolean takeAdded(Object hop, String token) {
        String added = TOKENS_ADDED.remove(hop);
        return added != null && added.equals(token);
    }
}
