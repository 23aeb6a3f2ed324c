package dev.imdsv2.agent.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What Linux's {@code /proc} says about a process before the CLI attaches to it. The attach handshake sends
 * the target SIGQUIT, and a process that does not handle it (not a JVM, or a JVM still starting) dies of
 * it: so the CLI checks first, as JDK 21+ does internally. Where there is no {@code /proc}, every check
 * answers "unknown" and the attach API's own errors are reported.
 */
final class LocalProcess {
    private static final File PROC = new File("/proc");
    private static final long SIGQUIT_MASK = 1L << (3 - 1);

    private final File dir;

    LocalProcess(String pid) {
        this.dir = new File(PROC, pid);
    }

    static boolean procAvailable() {
        return new File(PROC, "self").isDirectory();
    }

    /** False only when {@code /proc} is there and the process is not. */
    boolean exists() {
        return !procAvailable() || dir.isDirectory();
    }

    /** The uid owning the process, or -1 when unknown. */
    int uid() {
        return uidOf(dir.toPath());
    }

    static int ownUid() {
        return uidOf(Paths.get("/proc/self"));
    }

    private static int uidOf(Path path) {
        try {
            return procAvailable() ? ((Number) Files.getAttribute(path, "unix:uid")).intValue() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    String ownerName() {
        try {
            return Files.getOwner(dir.toPath()).getName();
        } catch (Exception e) {
            return "uid " + uid();
        }
    }

    /** Whether the process has a handler for SIGQUIT (null when unknown): every attachable HotSpot JVM has. */
    Boolean handlesSigquit() {
        if (!procAvailable()) {
            return null;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new FileInputStream(new File(dir, "status")), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("SigCgt:")) {
                    return (Long.parseLong(line.substring("SigCgt:".length()).trim(), 16) & SIGQUIT_MASK) != 0;
                }
            }
        } catch (Exception e) {
            return null;
        }
        return null;
    }
}
