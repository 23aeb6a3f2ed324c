package dev.imdsv2.agent.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.imdsv2.agent.config.KnownClient;

/**
 * Finds the call site of an IMDS request: the first stack frame outside the JDK, the HTTP client
 * libraries and the agent, the code that built the request. For an old AWS SDK that is the SDK's
 * own class, which is what an operator allows in {@code imdsv2.upgrade.callers}. Only ever run for
 * IMDS requests.
 *
 * <p>The stack comes as a {@code Throwable} made where the request was sent. Filling one in costs well under a
 * microsecond on a typical stack; reading it out as {@code StackTraceElement}s costs several, and so does a
 * {@code StackWalker} walk on Java 17. That is why a request only captures the stack, and the reading is left to
 * whoever needs the site: {@link CallSites}, off the request's thread, or a decision that depends on the caller.
 */
public final class CallerFinder {
    /** Frames from these packages are machinery, not callers: the JDK, the agent, the clients, and what sits on them. */
    private static final String[] SKIPPED = skipped(
        "java.", "javax.", "jdk.", "sun.", "com.sun.",
        "dev.imdsv2.agent.",
        // Libraries on top of the clients: their frames show between the application and the client.
        "org.springframework.web.client.", "org.springframework.http.client.", "org.springframework.web.reactive.function.client.",
        "com.google.api.client.http."); // the Google HTTP client, on HttpURLConnection

    private CallerFinder() {
    }

    /** The caller's frame in the stack {@code sentFrom} captured, or null when every frame is machinery. */
    public static StackTraceElement callerFrame(Throwable sentFrom) {
        return callerFrame(sentFrom.getStackTrace());
    }

    /** {@code class.method(File:line)}, the form the WARN line and the report use. */
    public static String describe(StackTraceElement frame) {
        if (frame == null) {
            return "unknown";
        }
        return frame.getClassName() + "." + frame.getMethodName() + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
    }

    static StackTraceElement callerFrame(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (!isMachinery(frame.getClassName())) {
                return frame;
            }
        }
        return null;
    }

    /** {@code fixed}, then each known client's packages ({@link KnownClient#callerSkippedPackages}). */
    private static String[] skipped(String... fixed) {
        List<String> prefixes = new ArrayList<String>(Arrays.asList(fixed));
        for (KnownClient client : KnownClient.values()) {
            for (String prefix : client.callerSkippedPackages) {
                if (!prefixes.contains(prefix)) {
                    prefixes.add(prefix);
                }
            }
        }
        return prefixes.toArray(new String[0]);
    }

    private static boolean isMachinery(String className) {
        for (String prefix : SKIPPED) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
