package dev.imdsv2.agent.report;

import java.io.PrintStream;
import java.util.Locale;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One logger for the whole agent: a line per event on stderr, {@code [imdsv2-agent] LEVEL message}
 * (INFO lines carry no level word). A throwable is shown as its one-line summary; a stack trace
 * only at debug, so an operator's console is never flooded.
 */
final class StderrLogger extends LegacyAbstractLogger {
    static final StderrLogger INSTANCE = new StderrLogger();
    private static final long serialVersionUID = 1L;

    /** 0 error, 1 warn, 2 info, 3 debug. */
    private static volatile int threshold = 2;

    private StderrLogger() {
        this.name = "imdsv2-agent";
    }

    static void setLevel(String level) {
        String l = level == null ? "info" : level.toLowerCase(Locale.ROOT);
        threshold = "error".equals(l) ? 0 : "warn".equals(l) ? 1 : "debug".equals(l) ? 3 : 2;
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return threshold >= 3;
    }

    @Override
    public boolean isInfoEnabled() {
        return threshold >= 2;
    }

    @Override
    public boolean isWarnEnabled() {
        return threshold >= 1;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        StringBuilder line = new StringBuilder("[imdsv2-agent] ");
        if (level != Level.INFO) {
            line.append(level.name()).append(' ');
        }
        line.append(MessageFormatter.basicArrayFormat(pattern, arguments));
        if (throwable != null && !isDebugEnabled()) {
            line.append(" (").append(throwable).append(')');
        }
        PrintStream err = System.err;
        err.println(line);
        if (throwable != null && isDebugEnabled()) {
            throwable.printStackTrace(err);
        }
    }
}
