package dev.imdsv2.agent;

import java.lang.instrument.Instrumentation;

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
            AgentRuntime.start(arguments, instrumentation);
        } catch (Throwable t) {
            try {
                System.err.println("[imdsv2-agent] ERROR the agent could not start and stays out of the way: " + t);
            } catch (Throwable ignored) {
                // nothing else can be done without risking the application
            }
        }
    }
}
