package dev.imdsv2.agent.report;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;

/** This JVM's pid and main class, as the CLI and the agent's exporters name a JVM. Java 8 has no {@code ProcessHandle}. */
public final class ThisJvm {
    private ThisJvm() {
    }

    public static String pid() {
        try {
            File self = new File("/proc/self");
            if (self.exists()) {
                return self.getCanonicalFile().getName();
            }
        } catch (IOException ignored) {
            // fall back to the runtime's name, "pid@host" on HotSpot
        }
        String name = ManagementFactory.getRuntimeMXBean().getName();
        int at = name.indexOf('@');
        return at > 0 ? name.substring(0, at) : name;
    }

    /** The first word of {@code sun.java.command}: the main class, or the jar's path for {@code -jar}; "?" when unknown. */
    public static String mainClass(String javaCommand) {
        if (javaCommand == null || javaCommand.trim().isEmpty()) {
            return "?";
        }
        String trimmed = javaCommand.trim();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }
}
