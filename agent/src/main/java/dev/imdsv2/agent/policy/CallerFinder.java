package dev.imdsv2.agent.policy;

import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds the call site of an IMDS request: the first stack frame outside the JDK, the HTTP client
 * libraries and the agent, the code that built the request. For an old AWS SDK that is the SDK's
 * own class, which is what an operator allows in {@code imdsv2.upgrade.callers}. Only ever run for
 * IMDS requests.
 *
 * <p>On Java 9+ it walks the stack lazily with {@code StackWalker} and stops at the first caller frame,
 * several times cheaper than filling a whole {@code Throwable} stack trace (Java 8's only way). The
 * agent is compiled for Java 8, so {@code StackWalker} is reached by reflection.
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

    private static final StackWalk STACK_WALK = StackWalk.create();

    private CallerFinder() {
    }

    /** The caller's frame, or null when every frame is machinery (a client's own worker thread, say). */
    static StackTraceElement find() {
        if (STACK_WALK != null) {
            try {
                return STACK_WALK.firstCaller();
            } catch (Exception e) {
                // fall back to the Java 8 way below
            }
        }
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

    /** {@code StackWalker.getInstance().walk(frames -> first caller frame)}, by reflection. */
    private static final class StackWalk {
        private final Object walker;
        private final Method walk;
        private final Method getClassName;
        private final Method toStackTraceElement;
        private final Function<Stream<Object>, Object> firstCallerFrame = new Function<Stream<Object>, Object>() {
            @Override
            public Object apply(Stream<Object> frames) {
                Iterator<Object> it = frames.iterator();
                try {
                    while (it.hasNext()) {
                        Object frame = it.next();
                        if (!isMachinery((String) getClassName.invoke(frame))) {
                            return toStackTraceElement.invoke(frame);
                        }
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }
        };

        private StackWalk(Object walker, Method walk, Method getClassName, Method toStackTraceElement) {
            this.walker = walker;
            this.walk = walk;
            this.getClassName = getClassName;
            this.toStackTraceElement = toStackTraceElement;
        }

        static StackWalk create() {
            try {
                Class<?> walkerClass = Class.forName("java.lang.StackWalker");
                Class<?> frameClass = Class.forName("java.lang.StackWalker$StackFrame");
                return new StackWalk(walkerClass.getMethod("getInstance").invoke(null),
                        walkerClass.getMethod("walk", Function.class),
                        frameClass.getMethod("getClassName"), frameClass.getMethod("toStackTraceElement"));
            } catch (Exception | LinkageError e) {
                return null; // Java 8
            }
        }

        StackTraceElement firstCaller() throws ReflectiveOperationException {
            return (StackTraceElement) walk.invoke(walker, firstCallerFrame);
        }
    }
}
