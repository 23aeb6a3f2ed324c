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

    /** Config name, then the class-name prefixes of frames on the stack when that client connects. */
    private static final String[][] CLIENTS = {
        {"urlconnection", "sun.net.www.protocol.http.HttpURLConnection"},
        {"jdk-httpclient", "jdk.internal.net.http."},
        {"apache-httpclient-4", "org.apache.http."},
        {"apache-httpclient-5", "org.apache.hc."},
        {"okhttp", "okhttp3."},
        // Netty-based clients connect on an event-loop thread, whose stack shows only Netty's own frames.
        {"reactor-netty", "reactor.netty.", "io.netty."},
        {"async-http-client", "org.asynchttpclient.", "io.netty."},
        {"jetty-client", "org.eclipse.jetty."},
        {"vertx", "io.vertx.", "io.netty."},
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
            String className = stack[i].getClassName();
            if (className.startsWith(AGENT_PACKAGE)) {
                return Owner.AGENT;
            }
            for (String[] client : CLIENTS) {
                for (int p = 1; p < client.length; p++) {
                    if (className.startsWith(client[p])) {
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
}
