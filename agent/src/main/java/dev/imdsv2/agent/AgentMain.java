package dev.imdsv2.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

import dev.imdsv2.agent.cli.Cli;

/**
 * The agent's entry points, kept tiny: each hands over at once and catches everything, because a
 * throwable out of {@code premain} kills the application's JVM.
 */
public final class AgentMain {

    private AgentMain() {
    }

    /** {@code -javaagent:imdsv2-agent.jar[=key=value,...]} */
    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation);
    }

    /** Loaded into a running JVM; attaching again reconfigures the agent already there. */
    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation);
    }

    /** The CLI ({@code list}, {@code attach}, {@code status}); {@code java -jar} goes to {@link Cli} directly. */
    public static void main(String[] args) {
        Cli.main(args);
    }

    private static void start(String arguments, Instrumentation instrumentation) {
        try {
            appendToBootstrapPathOnJava8(instrumentation);
            AgentRuntime.start(arguments, instrumentation);
        } catch (Throwable t) {
            try {
                System.err.println("[imdsv2-agent] ERROR the agent could not start and stays out of the way: " + t);
            } catch (Throwable ignored) {
                // nothing else can be done without risking the application
            }
        }
    }

    /**
     * On Java 8 the agent's classes load from the bootstrap search path, which this jar is appended to here, before
     * the first of them other than this one resolves. On the system class path, where {@code -javaagent} puts the jar
     * last, each of them is first looked for in every jar and directory of the application's class path, and on
     * Java 8 that costs 10 to 45 KB of heap a class (README, "Start-up with a third-party client"). On Java 9 and
     * later appending prints a CDS warning, so there they stay on the class path. When appending fails they stay
     * there too: that only costs the heap, so it is not worth a line on the application's stderr.
     */
    private static void appendToBootstrapPathOnJava8(Instrumentation instrumentation) {
        try {
            if (!System.getProperty("java.specification.version", "").startsWith("1.")
                    || AgentMain.class.getClassLoader() == null) { // attached again: there already
                return;
            }
            File jar = new File(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
        } catch (Throwable t) {
            // stays on the class path
        }
    }
}
