package dev.imdsv2.agent;

import java.lang.instrument.Instrumentation;

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

    /** {@code java -jar imdsv2-agent.jar}: the jar is an agent, not a program; say how to use it. */
    public static void main(String[] args) {
        System.out.println("imdsv2-agent " + AgentRuntime.version() + ": a Java agent that upgrades IMDSv1 calls to IMDSv2.");
        System.out.println("Use it with: java -javaagent:imdsv2-agent.jar[=mode=observe,...] -jar your-app.jar");
        System.exit(args.length == 0 ? 0 : 2);
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
