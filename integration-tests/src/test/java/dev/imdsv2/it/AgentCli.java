package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/** One run of {@code java -jar imdsv2-agent.jar ...} with the JDK under test: its exit code and output. */
final class AgentCli {
    final int exitCode;
    final String stdout;
    final String stderr;

    private AgentCli(int exitCode, String stdout, String stderr) {
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static AgentCli run(String... args) throws Exception {
        return run(List.of(), List.of(), args);
    }

    /** The CLI run by another JDK's java than the one under test. */
    static AgentCli runOn(Path javaHome, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), "-jar", ChildJvm.agentJar().toString()));
        command.addAll(Arrays.asList(args));
        return runCommand(command);
    }

    /**
     * @param wrapper a command that runs java (e.g. one that switches user), or empty
     * @param jvmOptions options for the CLI's own JVM
     */
    static AgentCli run(List<String> wrapper, List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.add(ChildJvm.javaExecutable().toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(ChildJvm.agentJar().toString());
        command.addAll(Arrays.asList(args));
        return runCommand(command);
    }

    static AgentCli runCommand(List<String> command) throws Exception {
        File out = File.createTempFile("agent-cli", ".out");
        File err = File.createTempFile("agent-cli", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
            builder.environment().keySet().removeIf(name -> name.startsWith("IMDSV2_") || name.equals("JAVA_TOOL_OPTIONS"));
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the CLI did not end in time: " + command);
            }
            return new AgentCli(process.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** The feature release of the JDK under test (8, 11, 17, ...). */
    static int javaFeatureVersion() {
        return ChildJvm.javaFeatureVersion();
    }

    /** The version the agent jar under test gives itself. */
    static String agentVersion() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
}
