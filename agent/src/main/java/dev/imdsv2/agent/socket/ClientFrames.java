package dev.imdsv2.agent.socket;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import dev.imdsv2.agent.config.KnownClient;

/**
 * Who opens a connection to IMDS, told from the stack of the connecting thread (only ever taken for
 * connects to an IMDS address): the agent itself (its token PUT), an HTTP client the agent instruments
 * (that instrumentation counts the request), an HTTP client it knows but does not instrument in this JVM
 * (switched off, or not supported here), or other code.
 *
 * <p>The frames are each known client's {@link KnownClient#connectFrames}; a client counts as instrumented when
 * the agent's start line lists it.
 */
final class ClientFrames {
    enum Owner { AGENT, INSTRUMENTED_CLIENT, OTHER_KNOWN_CLIENT, OTHER_CODE }

    private static final String AGENT_PACKAGE = "dev.imdsv2.agent.";
    /** Read once: {@code values()} copies the array, and a stack is judged frame by frame. */
    private static final KnownClient[] CLIENTS = KnownClient.values();

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
            for (KnownClient client : CLIENTS) {
                for (String pattern : client.connectFrames) {
                    if (matches(frame, pattern)) {
                        if (instrumented.contains(client.tag)) {
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
