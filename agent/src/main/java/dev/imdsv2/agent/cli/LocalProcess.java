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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What Linux's {@code /proc} says about a process before the CLI attaches to it. The attach handshake sends
 * the target SIGQUIT, and a process that does not handle it (not a JVM, or a JVM still starting) dies of
 * it: so the CLI checks first, as JDK 21+ does internally. Where there is no {@code /proc}, every check
 * answers "unknown" and the attach API's own errors are reported.
 */
final class LocalProcess {
    private static final File PROC = new File("/proc");
    private static final long SIGQUIT_MASK = 1L << (3 - 1);
    /** The java launcher's options whose value is the next argument: they stand between it and the main class. */
    private static final List<String> OPTIONS_WITH_A_VALUE = Arrays.asList("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads", "--add-exports",
            "--add-opens", "--patch-module", "--enable-native-access");

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
        String owner = owner();
        return owner != null ? owner : "uid " + uid();
    }

    /** The name of the user owning the process, or null when unknown. */
    String owner() {
        try {
            return procAvailable() ? Files.getOwner(dir.toPath()).getName() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The processes whose program is named {@code java}, of this user (of every user for root).
     * The attach API lists only JVMs that publish performance data, and a JVM started with
     * {@code -XX:-UsePerfData}, or one in another container, publishes none where this command looks.
     */
    static List<String> javaProcessIds() {
        List<String> pids = new ArrayList<String>();
        String[] names = procAvailable() ? PROC.list() : null;
        if (names == null) {
            return pids;
        }
        int ownUid = ownUid();
        for (String name : names) {
            if (name.matches("[0-9]{1,10}")) {
                LocalProcess process = new LocalProcess(name);
                if (ownUid == 0 || process.uid() == ownUid) {
                    List<String> command = process.commandLine();
                    if (!command.isEmpty() && isJava(command.get(0))) {
                        pids.add(name);
                    }
                }
            }
        }
        return pids;
    }

    private static boolean isJava(String program) {
        return new File(program).getName().equals("java");
    }

    /** The program and its arguments, from {@code /proc/<pid>/cmdline}; empty when unknown (a kernel thread, gone). */
    List<String> commandLine() {
        try {
            byte[] bytes = Files.readAllBytes(new File(dir, "cmdline").toPath());
            if (bytes.length == 0) {
                return new ArrayList<String>();
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            return Arrays.asList((text.endsWith("\0") ? text.substring(0, text.length() - 1) : text).split("\0", -1));
        } catch (IOException | RuntimeException e) {
            return new ArrayList<String>();
        }
    }

    /**
     * The main class (or jar, or module) that a {@code java} command line names, for a JVM that cannot be asked
     * itself; "?" when it names none this can tell (an {@code @argfile}, an unknown option taking a value). For a
     * program that is not {@code java}, its name.
     */
    static String mainClassOf(List<String> command) {
        if (command.isEmpty()) {
            return "?";
        }
        if (!isJava(command.get(0))) {
            return new File(command.get(0)).getName();
        }
        for (int i = 1; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg.equals("-jar") || arg.equals("-m") || arg.equals("--module")) {
                return i + 1 < command.size() ? command.get(i + 1) : "?";
            }
            if (OPTIONS_WITH_A_VALUE.contains(arg)) {
                i++;
            } else if (arg.startsWith("@")) {
                return "?";
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return "?";
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
