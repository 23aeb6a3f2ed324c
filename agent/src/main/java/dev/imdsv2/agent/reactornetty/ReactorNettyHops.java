package dev.imdsv2.agent.reactornetty;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.config.Endpoint;

/**
 * What the Reactor Netty advice needs beyond {@link ImdsHops}, in JDK types only (the advice lives in the class
 * loader of Reactor Netty's classes, whichever that is, and this class in the agent's): whether the hop goes through
 * a proxy or was redirected from elsewhere, and the hops this agent put a token on.
 */
public final class ReactorNettyHops {
    /** Hops (their {@code HttpClientOperations}) that carry a token this agent added, until their response. */
    private static final Map<Object, String> TOKENS_ADDED =
            Collections.synchronizedMap(new WeakHashMap<Object, String>());

    private ReactorNettyHops() {
    }

    /** The channel is connected straight to the endpoint's port (not to a proxy, say). */
    public static boolean connectedTo(SocketAddress remote, Endpoint endpoint) {
        return remote instanceof InetSocketAddress && ((InetSocketAddress) remote).getPort() == endpoint.port();
    }

    /** Some hop before this one (Reactor Netty lists their URLs) was not to IMDS. */
    public static boolean anyElsewhere(String[] redirectedFrom) {
        for (String from : redirectedFrom) {
            if (ImdsHops.endpointOfUrl(from) == null) {
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
