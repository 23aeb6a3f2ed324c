package dev.imdsv2.agent.report;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * The agent's logger, and the rule for its own failures: each kind of internal failure is counted
 * every time and logged once, so a broken corner never floods the application's stderr.
 */
public final class AgentLog {
    private static final Set<String> FAILURES_LOGGED = ConcurrentHashMap.newKeySet();
    private static final AtomicLong FAILURES = new AtomicLong();

    private AgentLog() {
    }

    /**
     * The agent's logger, handed out directly: going through SLF4J's {@code LoggerFactory} would make it
     * search for providers (a {@code ServiceLoader} pass over the JDK image and the class path, ~30 ms of
     * every JVM's start). {@link StderrLoggerProvider} still binds the relocated SLF4J for the libraries
     * inside the agent jar that look their logger up there.
     */
    public static Logger log() {
        return StderrLogger.INSTANCE;
    }

    public static void setLevel(String level) {
        StderrLogger.setLevel(level);
    }

    /** An internal failure: the caller has already let the request go out as the application made it. */
    public static void internalFailure(String where, Throwable failure) {
        FAILURES.incrementAndGet();
        if (FAILURES_LOGGED.add(where)) {
            log().warn("internal failure in {}; the request went out unchanged (logged once): {}", where,
                    String.valueOf(failure));
            log().debug("internal failure in " + where, failure);
        }
    }

    public static long internalFailures() {
        return FAILURES.get();
    }
}
