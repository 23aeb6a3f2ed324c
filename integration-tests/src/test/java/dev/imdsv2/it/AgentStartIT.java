package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.AgentClassLoader;
import dev.imdsv2.it.apps.Trivial;
import dev.imdsv2.simulator.ImdsSimulator;

/** The jar itself, and what a JVM that starts with it shows. */
class AgentStartIT {

    /**
     * Java 8 runs class files up to major version 52. Every class the jar carries counts: the agent's own, the
     * relocated dependencies (Byte Buddy's ASM, SLF4J, Micrometer) and the hook classes shipped as {@code .class.bin} resources.
     * Multi-release variants ({@code META-INF/versions/}) are excluded at packaging: the jar is not multi-release.
     */
    @Test
    void everyClassInTheJarIsJava8Bytecode() throws Exception {
        List<String> wrong = new ArrayList<>();
        int own = 0;
        int dependencies = 0;
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith("META-INF/versions/")) {
                    wrong.add(name + " is a multi-release variant");
                }
                if (!name.endsWith(".class") && !name.endsWith(".class.bin")) {
                    continue;
                }
                boolean ours = name.startsWith("META-INF/imdsv2-hooks/")
                        || (name.startsWith("dev/imdsv2/") && !name.startsWith("dev/imdsv2/agent/shaded/"));
                try (InputStream in = jar.getInputStream(entry); DataInputStream data = new DataInputStream(in)) {
                    data.readInt(); // magic
                    data.readUnsignedShort(); // minor
                    int major = data.readUnsignedShort();
                    if (ours ? major != 52 : major > 52) {
                        wrong.add(name + " has major version " + major);
                    }
                }
                if (ours) {
                    own++;
                } else {
                    dependencies++;
                }
            }
            assertTrue(jar.getEntry("sun/net/www/protocol/http/Imdsv2Hook.class") == null,
                    "hook classes ship only as renamed resources");
        }
        assertTrue(own > 20 && dependencies > 300, "checked " + own + " own classes and " + dependencies + " relocated ones");
        assertEquals(List.of(), wrong);
    }

    @Test
    void aTrivialJvmPrintsOnlyTheStartLineOnStderr() throws Exception {
        ChildJvm app = ChildJvm.withAgent("").main(Trivial.class).run();

        assertEquals(0, app.exitCode());
        assertEquals(List.of("done"), app.results("RESULT"));
        List<String> stderr = app.stderr();
        assertEquals(1, stderr.size(), "stderr: " + stderr);
        java.util.regex.Matcher line = ChildJvm.AGENT_LINE.matcher(stderr.get(0));
        assertTrue(line.matches() && line.group(2) == null, "an INFO line with its time: " + stderr.get(0));
        assertTrue(line.group(3).startsWith("imdsv2-agent ") && line.group(3).contains(" started: mode=upgrade"), stderr.get(0));
    }

    /**
     * On Java 8 the agent's classes come from the bootstrap search path: from the system class path, where the jar is
     * last, each would first be looked for in every jar of the application's class path (README, "Start-up with a
     * third-party client"). On Java 9 and later appending to that path prints a CDS warning, so they stay there.
     */
    @Test
    void onJava8TheAgentsClassesLoadFromTheBootstrapPath() throws Exception {
        ChildJvm app = ChildJvm.withAgent("").main(AgentClassLoader.class).run();

        assertEquals(List.of(ChildJvm.javaFeatureVersion() == 8 ? "bootstrap" : "system"), app.results("RESULT"), app.transcript());
        assertEquals(1, app.stderr().size(), "only the start line: " + app.stderr());
    }

    @Test
    void aJvmThatNeverCallsImdsSendsNothingAndStartsNoThread() throws Exception {
        try (ImdsSimulator imds = ImdsSimulator.start(true)) {
            ChildJvm without = ChildJvm.withoutAgent().main(Trivial.class).run();
            ChildJvm with = ChildJvm.withAgent("endpoints=" + imds.baseUrl()).main(Trivial.class).run();

            assertEquals(without.results("THREAD"), with.results("THREAD"), "the agent started no thread of its own");
            assertEquals(0, imds.received().size(), "the agent sent nothing to IMDS");
        }
    }

    @Test
    void badConfigurationGivesOneWarningEachAndTheDefaults() throws Exception {
        ChildJvm app = ChildJvm.withAgent("mode=bogus,token.ttl=0,endpoints=::garbage,colour=blue")
                .main(Trivial.class).run();

        assertEquals(0, app.exitCode(), app.transcript());
        assertEquals(List.of("done"), app.results("RESULT"), "the application runs normally");
        List<String> warnings = app.agentWarnings();
        assertEquals(4, warnings.size(), app.transcript());
        assertTrue(warnings.stream().anyMatch(l -> l.contains("imdsv2.mode=bogus") && l.contains("using the default upgrade")), app.transcript());
        assertTrue(warnings.stream().anyMatch(l -> l.contains("imdsv2.token.ttl=0") && l.contains("using the default 21600")), app.transcript());
        assertTrue(warnings.stream().anyMatch(l -> l.contains("imdsv2.endpoints=::garbage")), app.transcript());
        assertTrue(warnings.stream().anyMatch(l -> l.contains("unknown key 'colour'")), app.transcript());
        String start = app.stderr().stream().filter(l -> l.contains(" started: ")).findFirst().orElseThrow();
        assertTrue(start.contains("mode=upgrade") && start.contains("169.254.169.254"), start);
    }
}
