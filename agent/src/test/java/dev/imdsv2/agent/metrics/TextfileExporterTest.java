package dev.imdsv2.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.AssembledAgentState;
import dev.imdsv2.agent.report.Category;
import dev.imdsv2.agent.report.ThisJvm;

/** The node_exporter textfile: one file per JVM, its series labelled with the JVM, stale files of dead JVMs gone. */
class TextfileExporterTest {
    @Test
    void writesThisJvmsFileAndRemovesThoseOfJvmsThatDied(@TempDir Path dir) throws Exception {
        Path dead = Files.write(dir.resolve("imdsv2-999999999.prom"), "imdsv2_ready 1.0\n".getBytes(StandardCharsets.UTF_8));
        Path notOurs = Files.write(dir.resolve("other-999999999.prom"), new byte[0]);
        AssembledAgentState state = new AssembledAgentState("mode=upgrade");
        state.request("com.example.Legacy.read(Legacy.java:12)", "okhttp", "v1", Action.UPGRADED, Category.CREDENTIALS);

        TextfileExporter.start(state, dir.toString(), 3600);

        Path ours = dir.resolve("imdsv2-" + ThisJvm.pid() + ".prom");
        long deadline = System.nanoTime() + 20_000_000_000L;
        // the file of a dead JVM goes right after this JVM's is written
        while ((!Files.exists(ours) || Files.exists(dead)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> lines = Files.readAllLines(ours, StandardCharsets.UTF_8);
        String pid = "pid=\"" + ThisJvm.pid() + "\"";
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("imdsv2_requests_total{") && line.contains(pid)
                && line.contains("client=\"okhttp\"") && line.contains("main_class=\"") && line.endsWith("} 1.0")),
                String.join("\n", lines));
        assertFalse(Files.exists(dead), "the file of a pid that does not live");
        assertTrue(Files.exists(notOurs), "only the agent's own files are touched");
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(file -> file.getFileName().toString().endsWith(".tmp")).count(), "no partial file left");
        }
    }
}
