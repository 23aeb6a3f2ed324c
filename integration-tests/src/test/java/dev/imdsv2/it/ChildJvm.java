package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real JVM started for one test: the JDK under test ({@code it.java.home}, else this one), the real
 * agent jar as {@code -javaagent} (or none), and one of the {@code apps} as its main class. Its output is
 * collected line by line so a test can wait for a line, answer on stdin, and read everything at the end.
 */
public final class ChildJvm implements AutoCloseable {
    private static final long DEFAULT_TIMEOUT_SECONDS = 90;

    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final Writer stdin;
    private final Thread outReader;
    private final Thread errReader;

    private ChildJvm(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.outReader = pump(process.getInputStream(), stdout, true);
        this.errReader = pump(process.getErrorStream(), stderr, false);
    }

    /** Builder for one child JVM. */
    public static final class Spec {
        private String agentArguments;
        private boolean withAgent;
        private final List<String> jvmOptions = new ArrayList<>();
        private String mainClassName;
        private String classPath;
        private final List<String> args = new ArrayList<>();
        private Path replacingLibraries;
        private final List<String> librarySets = new ArrayList<>();
        private final List<String> launcher = new ArrayList<>();

        /** Attach the agent with these arguments (null or "" for none). */
        public Spec agent(String arguments) {
            this.withAgent = true;
            this.agentArguments = arguments;
            return this;
        }

        public Spec noAgent() {
            this.withAgent = false;
            return this;
        }

        /** A command that runs java, put before it: e.g. {@code setpriv} to run the JVM as another user. */
        public Spec launchedBy(String... command) {
            launcher.addAll(Arrays.asList(command));
            return this;
        }

        public Spec jvm(String... options) {
            jvmOptions.addAll(Arrays.asList(options));
            return this;
        }

        /**
         * Use the jars of the client library set {@code name} ({@link #clientLibs}) in place of the
         * same artifacts, in whatever version, on the test class path, and keep the rest: for a second version of
         * a library the test class path already has (the AWS SDK 1.12 beside 1.11).
         */
        public Spec replacingLibraries(String name) {
            this.replacingLibraries = clientLibs(name);
            assertTrue(Files.isDirectory(replacingLibraries), "no client libraries at " + replacingLibraries + ": run the tests through Maven");
            return this;
        }

        /**
         * Runs the app with these client library sets ({@link #clientLibs}) instead of this test JVM's class path: only the test classes
         * and exactly those jars, so no other version of a client can be picked up.
         */
        public Spec libraries(String... sets) {
            for (String set : sets) {
                int needed = oldestJavaFor(set);
                assumeTrue(javaFeatureVersion() >= needed, "the client library set " + set + " is compiled for Java " + needed
                        + "; the JDK under test is Java " + javaFeatureVersion());
            }
            librarySets.addAll(Arrays.asList(sets));
            return this;
        }

        public Spec main(Class<?> main, String... arguments) {
            return main(main.getName(), arguments);
        }

        /** A main class that is not on this test JVM's class path (an application with its own, see {@link #classPath}). */
        public Spec main(String className, String... arguments) {
            this.mainClassName = className;
            this.args.addAll(Arrays.asList(arguments));
            return this;
        }

        /** The child's class path instead of {@link #defaultClassPath()}: an application that brings its own libraries. */
        public Spec classPath(String entries) {
            this.classPath = entries;
            return this;
        }

        public ChildJvm start() throws IOException {
            List<String> command = new ArrayList<>(launcher);
            command.add(javaExecutable().toString());
            if (withAgent) {
                command.add("-javaagent:" + agentJar() + (agentArguments == null || agentArguments.isEmpty() ? "" : "=" + agentArguments));
            }
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classPath != null ? classPath
                    : librarySets.isEmpty() ? childClassPath(replacingLibraries) : libraryClassPath(librarySets));
            command.add(mainClassName);
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().keySet().removeIf(name -> name.startsWith("IMDSV2_") || name.equals("JAVA_TOOL_OPTIONS"));
            return new ChildJvm(builder.start());
        }

        /** Starts the JVM, waits for it to end, and fails the test if it does not end cleanly. */
        public ChildJvm run() throws Exception {
            ChildJvm jvm = start();
            jvm.awaitExit();
            return jvm;
        }
    }

    public static Spec withAgent(String arguments) {
        return new Spec().agent(arguments);
    }

    public static Spec withoutAgent() {
        return new Spec().noAgent();
    }

    public static Path agentJar() {
        String jar = System.getProperty("imdsv2.agent.jar");
        assertTrue(jar != null && Files.isRegularFile(Paths.get(jar)),
                "the agent jar is not built (imdsv2.agent.jar=" + jar + "): run the tests through Maven's verify phase");
        return Paths.get(jar).toAbsolutePath().normalize();
    }

    /** The JDK the agent is tested on in this pass. */
    public static Path javaHome() {
        String home = System.getProperty("it.java.home");
        if (home == null || home.isEmpty()) {
            home = System.getProperty("java.home");
        }
        Path path = Paths.get(home);
        assertTrue(Files.isExecutable(path.resolve("bin/java")), "no java at " + path);
        return path;
    }

    private static final Map<Path, Integer> FEATURE_VERSIONS = new ConcurrentHashMap<>();

    /** The feature release of the JDK under test (8, 11, 17, ...), as that JDK's own java reports it. */
    public static int javaFeatureVersion() {
        return FEATURE_VERSIONS.computeIfAbsent(javaHome(), home -> {
            try {
                Process process = new ProcessBuilder(home.resolve("bin/java").toString(), "-XshowSettings:properties", "-version")
                        .redirectErrorStream(true).start();
                String settings = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                process.waitFor();
                Matcher version = Pattern.compile("java\\.specification\\.version = (\\S+)").matcher(settings);
                assertTrue(version.find(), "no java.specification.version from " + home + ":\n" + settings);
                String spec = version.group(1);
                return Integer.parseInt(spec.startsWith("1.") ? spec.substring(2) : spec);
            } catch (IOException | InterruptedException e) {
                return fail("cannot run " + home.resolve("bin/java"), e);
            }
        });
    }

    private static final Map<String, Integer> OLDEST_JAVA_FOR_SET = new ConcurrentHashMap<>();

    /**
     * The oldest Java a client library set runs on: that of its newest class files (a jar's Java 9+ module-info
     * and its multi-release versions/ classes do not count).
     */
    static int oldestJavaFor(String set) {
        return OLDEST_JAVA_FOR_SET.computeIfAbsent(set, name -> {
            int newestMajor = 52;
            try (Stream<Path> jars = Files.list(clientLibs(name))) {
                for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                    try (JarFile file = new JarFile(jar.toFile())) {
                        for (JarEntry entry : Collections.list(file.entries())) {
                            String path = entry.getName();
                            if (path.endsWith(".class") && !path.endsWith("module-info.class") && !path.startsWith("META-INF/")) {
                                try (DataInputStream in = new DataInputStream(file.getInputStream(entry))) {
                                    in.readInt(); // magic
                                    in.readUnsignedShort(); // minor
                                    newestMajor = Math.max(newestMajor, in.readUnsignedShort());
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                return fail("no client library set " + name + " (run the tests through Maven's verify phase): " + e);
            }
            return newestMajor - 44;
        });
    }

    /**
     * The jars of a client library set: the module {@code client-libs/<set>/}, whose pom names the client at one
     * version, has Maven resolve that client's jars into its {@code target/lib/}.
     */
    static Path clientLibs(String set) {
        return Paths.get(System.getProperty("it.client.libs", "../client-libs"), set, "target", "lib");
    }

    static Path javaExecutable() {
        return javaHome().resolve("bin/java");
    }

    /** This test JVM's class path without the agent itself: the agent must only arrive as -javaagent. */
    public static String defaultClassPath() {
        try {
            return childClassPath(null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * This test JVM's class path without the agent itself (the agent must only arrive as -javaagent), and,
     * with {@code libraries}, with the jars there in place of the same artifacts.
     */
    private static String childClassPath(Path libraries) throws IOException {
        List<String> replacing = new ArrayList<>();
        Set<String> replaced = new HashSet<>();
        if (libraries != null) {
            try (Stream<Path> jars = Files.list(libraries)) {
                jars.filter(jar -> jar.toString().endsWith(".jar")).sorted().forEach(jar -> {
                    replacing.add(jar.toAbsolutePath().toString());
                    replaced.add(artifactName(jar));
                });
            }
            // Spring's spring-jcl ships the commons-logging package too, compiled for Java 17: where commons-logging
            // itself comes, it goes (on Java 8 commons-logging would find spring-jcl's LogFactoryService and fail).
            if (replaced.contains("commons-logging")) {
                replaced.add("spring-jcl");
            }
        }
        Stream<String> own = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("imdsv2-agent") && !entry.replace('\\', '/').contains("/agent/target/"))
                .filter(entry -> !entry.endsWith(".jar") || !replaced.contains(artifactName(Paths.get(entry))));
        return Stream.concat(replacing.stream(), own).collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code jackson-core} for {@code .../jackson-core-2.17.2.jar}. */
    private static String artifactName(Path jar) {
        return jar.getFileName().toString().replaceFirst("-\\d[^/]*\\.jar$", "");
    }

    private static String libraryClassPath(List<String> sets) {
        List<String> entries = new ArrayList<>();
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.replace('\\', '/').endsWith("/test-classes")).forEach(entries::add);
        for (String set : sets) {
            Path dir = clientLibs(set);
            try (java.util.stream.Stream<Path> jars = Files.list(dir)) {
                jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
            } catch (IOException e) {
                fail("no client library set " + dir + " (run the tests through Maven's verify phase): " + e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private Thread pump(java.io.InputStream in, List<String> sink, boolean queue) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (sink) {
                        sink.add(line);
                    }
                    if (queue) {
                        pending.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "child-jvm-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits for the next stdout line that starts with {@code prefix}; returns it. */
    public String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEFAULT_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            String line = pending.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !process.isAlive() && pending.isEmpty()) {
                break;
            }
        }
        return fail("no line starting with '" + prefix + "' from the child JVM\n" + transcript());
    }

    /** Sends one line to the child's stdin. */
    public void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    public int awaitExit() throws Exception {
        return awaitExit(DEFAULT_TIMEOUT_SECONDS);
    }

    /** For a child that runs long on purpose (a load test). */
    public int awaitExit(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the child JVM did not end in time\n" + transcript());
        }
        outReader.join(5000);
        errReader.join(5000);
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    public int exitCode() {
        return process.exitValue();
    }

    public List<String> stdout() {
        synchronized (stdout) {
            return new ArrayList<>(stdout);
        }
    }

    public List<String> stderr() {
        synchronized (stderr) {
            return new ArrayList<>(stderr);
        }
    }

    /** An agent line of the text format: {@code [imdsv2-agent] <ISO-8601 UTC time> [LEVEL ]message}. */
    static final java.util.regex.Pattern AGENT_LINE =
            java.util.regex.Pattern.compile("\\[imdsv2-agent] \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ((ERROR|WARN|DEBUG) )?(.*)");

    /** The agent's stderr lines at WARN, without prefix, time and level. */
    public List<String> agentWarnings() {
        List<String> warnings = new ArrayList<>();
        for (String line : stderr()) {
            java.util.regex.Matcher m = AGENT_LINE.matcher(line);
            if (m.matches() && "WARN".equals(m.group(2))) {
                warnings.add(m.group(3));
            }
        }
        return warnings;
    }

    /** The stdout lines that start with {@code prefix}, with the prefix and one space removed. */
    public List<String> results(String prefix) {
        return stdout().stream().filter(l -> l.startsWith(prefix + " ")).map(l -> l.substring(prefix.length() + 1))
                .collect(Collectors.toList());
    }

    public String transcript() {
        return "--- stdout ---\n" + String.join("\n", stdout()) + "\n--- stderr ---\n" + String.join("\n", stderr());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            removeAttachSocketOf(process.pid());
        }
    }

    /**
     * A JVM killed after an attach leaves its attach socket in /tmp. A later JVM of another user that gets the same
     * pid then cannot be attached to (the JDK checks the socket's owner): CliIT runs JVMs as nobody among the
     * build's own.
     */
    static void removeAttachSocketOf(long deadPid) {
        try {
            Files.deleteIfExists(Paths.get("/tmp/.java_pid" + deadPid));
        } catch (IOException e) {
            // another user's: it stays, as it would without this
        }
    }
}
