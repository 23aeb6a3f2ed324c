package dev.imdsv2.agent.socket;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Who opens a connection to IMDS, told from the stack of the connecting thread (only ever taken for
 * connects to an IMDS address): the agent itself (its token PUT), an HTTP client the agent instruments
 * (that instrumentation counts the request), an HTTP client it knows but does not instrument in this JVM
 * (switched off, or not supported here), or other code.
 *
 * <p>A new client instrumentation needs nothing here when its row exists: the rows cover every client of
 * {@code imdsv2.instrumentation.<name>.enabled}, and a row counts as instrumented when the agent's start
 * line lists that client.
 */
final class ClientFrames {
    enum Owner { AGENT, INSTRUMENTED_CLIENT, OTHER_KNOWN_CLIENT, OTHER_CODE }

    private static final String NETTY_CLIENT_CONNECT = "io.netty.channel.socket.nio.NioSocketChannel";

    /**
     * Config name, then the frames on the stack when that client connects: class-name prefixes, or
     * {@code Class#method} for a class that servers run too. Narrow on purpose: server frames of the same
     * projects (a Jetty or Netty server's request threads) must not hide a raw socket opened by the
     * application's handler. A client author checks the stack at its connect.
     */
    private static final String[][] CLIENTS = {
        {"urlconnection", "sun.net.www.protocol.http.HttpURLConnection"},
        {"jdk-httpclient", "jdk.internal.net.http."},
        // The async clients connect on their I/O reactor thread, where only the reactor's frames show.
        {"apache-httpclient-4", "org.apache.http.conn.", "org.apache.http.impl.conn.",
            "org.apache.http.impl.nio.reactor.DefaultConnectingIOReactor"},
        {"apache-httpclient-5", "org.apache.hc.client5.",
            "org.apache.hc.core5.reactor.SingleCoreIOReactor#processConnectionRequest"},
        {"okhttp", "okhttp3."},
        // Netty-based clients may connect on an event-loop thread, whose stack shows only Netty's frames, and
        // their projects have servers too; every Netty client channel connects in NioSocketChannel.doConnect,
        // which no server thread runs. (Netty's native transports never reach a JDK socket class.)
        {"reactor-netty", NETTY_CLIENT_CONNECT},
        {"async-http-client", "org.asynchttpclient.", NETTY_CLIENT_CONNECT},
        {"jetty-client", "org.eclipse.jetty.client."},
        {"vertx", NETTY_CLIENT_CONNECT},
    };
    private static final String AGENT_PACKAGE = "dev.imdsv2.agent.";

    private final Set<String> instrumented;

    /** @param instrumented the config names of the clients the agent instruments in this JVM */
    ClientFrames(Collection<String> instrumented) {
        this.instrumented = new HashSet<String>(instrumented);
    }

    /** Judges the frames from {@code from} on (the frames below the hook); an instrumented client wins over the rest. */
    Owner ownerOf(StackTraceElement[] stack, int from) {
        boolean knownClient = false;
        for (int i = from; i < stack.length; i++) {
            StackTraceElement frame = stack[i];
            if (frame.getClassName().startsWith(AGENT_PACKAGE)) {
                return Owner.AGENT;
            }
            for (String[] client : CLIENTS) {
                for (int p = 1; p < client.length; p++) {
                    if (matches(frame, client[p])) {
                        if (instrumented.contains(client[0])) {
                            return Owner.INSTRUMENTED_CLIENT;
                        }
                        knownClient = true;
                    }
                }
            }
        }
        return knownClient ? Owner.OTHER_KNOWN_CLIENT : Owner.OTHER_CODE;
    }

    private static boolean matches(StackTraceElement frame, String pattern) {
        int hash = pattern.indexOf('#');
        if (hash < 0) {
            return frame.getClassName().startsWith(pattern);
        }
        return frame.getClassName().regionMatches(0, pattern, 0, hash) && frame.getClassName().length() == hash
                && pattern.regionMatches(hash + 1, frame.getMethodName(), 0, frame.getMethodName().length())
                && pattern.length() - hash - 1 == frame.getMethodName().length();
    }
}
