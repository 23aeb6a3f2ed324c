package dev.imdsv2.agent.log;

import java.io.PrintStream;
import java.util.Locale;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One logger for the whole agent: a line per event on stderr. As text (the default),
 * {@code [imdsv2-agent] 2026-12-03T13:20:01.234Z LEVEL message} (INFO lines carry no level word); as JSON
 * ({@code imdsv2.log.format=json}), one object per line with {@code time}, {@code level}, {@code event},
 * {@code mode}, the event's own fields and {@code message}, so that a log pipeline can query every v1 call
 * site of a fleet. A throwable is shown as its one-line summary; a stack trace only at debug (as text), so an
 * operator's console is never flooded.
 */
final class StderrLogger extends LegacyAbstractLogger {
    static final StderrLogger INSTANCE = new StderrLogger();
    private static final long serialVersionUID = 1L;
    private static final String PREFIX = "[imdsv2-agent] ";

    /** 0 error, 1 warn, 2 info, 3 debug. */
    private static volatile int threshold = 2;
    private static volatile boolean json;
    /** The agent's mode, on every JSON line: which phase a line was written in. */
    private static volatile String mode = "";

    private StderrLogger() {
        this.name = "imdsv2-agent";
    }

    static void setLevel(String level) {
        String l = level == null ? "info" : level.toLowerCase(Locale.ROOT);
        threshold = "error".equals(l) ? 0 : "warn".equals(l) ? 1 : "debug".equals(l) ? 3 : 2;
    }

    static void setFormat(String format) {
        json = "json".equalsIgnoreCase(format);
    }

    static void setMode(String agentMode) {
        mode = agentMode == null ? "" : agentMode;
    }

    boolean enabled(Level level) {
        return level == Level.ERROR || (level == Level.WARN && threshold >= 1) || (level == Level.INFO && threshold >= 2)
                || (level == Level.DEBUG && threshold >= 3);
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
        write(level, "log", null, MessageFormatter.basicArrayFormat(pattern, arguments), throwable);
    }

    /** One line: {@code fields} alternate names and values (values written as strings), or null. */
    void write(Level level, String event, Object[] fields, String message, Throwable throwable) {
        StringBuilder line = new StringBuilder(160);
        String time = Formats.timestamp(System.currentTimeMillis());
        if (json) {
            line.append("{\"time\":\"").append(time).append("\",\"level\":\"").append(level.name().toLowerCase(Locale.ROOT))
                    .append("\",\"event\":");
            Formats.jsonString(line, event);
            line.append(",\"mode\":");
            Formats.jsonString(line, mode);
            if (fields != null) {
                for (int i = 0; i + 1 < fields.length; i += 2) {
                    line.append(',');
                    Formats.jsonString(line, String.valueOf(fields[i]));
                    line.append(':');
                    Formats.jsonString(line, String.valueOf(fields[i + 1]));
                }
            }
            line.append(",\"message\":");
            Formats.jsonString(line, throwable == null ? message : message + " (" + throwable + ")");
            line.append('}');
        } else {
            line.append(PREFIX).append(time).append(' ');
            if (level != Level.INFO) {
                line.append(level.name()).append(' ');
            }
            line.append(message);
            if (throwable != null && !isDebugEnabled()) {
                line.append(" (").append(throwable).append(')');
            }
        }
        PrintStream err = System.err;
        err.println(line);
        if (throwable != null && isDebugEnabled() && !json) {
            throwable.printStackTrace(err);
        }
    }
}
