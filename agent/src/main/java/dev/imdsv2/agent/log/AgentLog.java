package dev.imdsv2.agent.log;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

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

    /** {@code text} or {@code json} ({@code imdsv2.log.format}). */
    public static void setFormat(String format) {
        StderrLogger.setFormat(format);
    }

    /** The agent's mode, written on every JSON line. */
    public static void setMode(String mode) {
        StderrLogger.setMode(mode);
    }

    public static boolean debugEnabled() {
        return StderrLogger.INSTANCE.isDebugEnabled();
    }

    /** A named event at WARN: its fields are JSON fields in the JSON format; the message is the line in both. */
    public static Event warn(String event) {
        return new Event(Level.WARN, event);
    }

    public static Event info(String event) {
        return new Event(Level.INFO, event);
    }

    public static Event debug(String event) {
        return new Event(Level.DEBUG, event);
    }

    /**
     * One log line to be: {@code AgentLog.warn("v1_call_site").with("site", s).log("IMDSv1 call site {}", s)}.
     * Nothing is formatted when its level is off.
     */
    public static final class Event {
        private final Level level;
        private final String name;
        private Object[] fields = new Object[0];

        private Event(Level level, String name) {
            this.level = level;
            this.name = name;
        }

        public Event with(String field, Object value) {
            Object[] more = Arrays.copyOf(fields, fields.length + 2);
            more[fields.length] = field;
            more[fields.length + 1] = value;
            fields = more;
            return this;
        }

        public void log(String pattern, Object... arguments) {
            StderrLogger logger = StderrLogger.INSTANCE;
            if (logger.enabled(level)) {
                logger.write(level, name, fields, MessageFormatter.basicArrayFormat(pattern, arguments), null);
            }
        }
    }

    /** An internal failure: the caller has already let the request go out as the application made it. */
    public static void internalFailure(String where, Throwable failure) {
        FAILURES.incrementAndGet();
        if (FAILURES_LOGGED.add(where)) {
            warn("internal_failure").with("where", where).log("internal failure in {}; the request went out unchanged"
                    + " (logged once): {}", where, String.valueOf(failure));
            log().debug("internal failure in " + where, failure);
        }
    }

    public static long internalFailures() {
        return FAILURES.get();
    }
}
