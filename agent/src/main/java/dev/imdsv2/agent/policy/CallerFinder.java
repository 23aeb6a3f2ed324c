package dev.imdsv2.agent.policy;

/**
 * Finds the call site of an IMDS request: the first stack frame outside the JDK, the HTTP client
 * libraries and the agent, the code that built the request. For an old AWS SDK that is the SDK's
 * own class, which is what an operator allows in {@code imdsv2.upgrade.callers}. Only ever run for
 * IMDS requests, so walking the stack is affordable.
 */
final class CallerFinder {
    /** Frames from these packages are machinery, not callers. */
    private static final String[] SKIPPED = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.",
        "dev.imdsv2.agent.",
        "okhttp3.", "okio.", "kotlin.", "kotlinx.coroutines.",
        "org.apache.http.", "org.apache.hc.",
        "reactor.netty.", "reactor.core.", "io.netty.", "org.asynchttpclient.", "org.eclipse.jetty.", "io.vertx.",
        "org.springframework.web.client.", "org.springframework.http.client.", "org.springframework.web.reactive.function.client.",
    };

    private CallerFinder() {
    }

    /** The caller's frame, or null when every frame is machinery (a client's own worker thread, say). */
    static StackTraceElement find() {
        return callerFrame(new Throwable().getStackTrace());
    }

    /** {@code class.method(File:line)}, the form the WARN line and the report use. */
    static String describe(StackTraceElement frame) {
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

    private static boolean isMachinery(String className) {
        for (String prefix : SKIPPED) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
