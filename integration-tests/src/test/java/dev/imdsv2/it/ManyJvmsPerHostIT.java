package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.imdsv2.it.apps.UrlConnectionClient;

/**
 * Many JVMs on one host, one agent setting for all ({@code JAVA_TOOL_OPTIONS}): their metrics reach Prometheus through
 * the real node_exporter's textfile collector (Debian's {@code prometheus-node-exporter}, which {@code .ci/run}
 * installs and this test starts on loopback), each JVM's series labelled apart, a JVM's file gone once it is.
 */
class ManyJvmsPerHostIT extends SimulatorTest {
    private static final String NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

    @TempDir
    Path textfiles;
    private Process nodeExporter;
    private String scrapeUrl;

    @BeforeEach
    void startNodeExporter() throws Exception {
        boolean installed = new File(NODE_EXPORTER).canExecute();
        if (System.getenv("CI") != null) {
            assertTrue(installed, NODE_EXPORTER + " is missing: .ci/run installs prometheus-node-exporter");
        }
        assumeTrue(installed, "no " + NODE_EXPORTER + " on this machine (apt-get install prometheus-node-exporter)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        nodeExporter = new ProcessBuilder(NODE_EXPORTER, "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=" + textfiles, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        scrapeUrl = "http://127.0.0.1:" + port + "/metrics";
    }

    @AfterEach
    void stopNodeExporter() throws Exception {
        if (nodeExporter != null) {
            nodeExporter.destroy();
            nodeExporter.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @JdkIndependent
    @Test
    void twoJvmsOnOneHostAreScrapedApartAndAJvmThatIsGoneLeavesNoFile() throws Exception {
        String settings = agentArgs("metrics.textfile.dir=" + textfiles, "metrics.textfile.interval=1");
        try (ChildJvm first = interactive(settings); ChildJvm second = interactive(settings)) {
            for (ChildJvm app : List.of(first, second)) {
                app.send("get");
                assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
            }
            String a = Long.toString(first.pid());
            String b = Long.toString(second.pid());

            PrometheusText scrape = PrometheusText.scrapeWhen(scrapeUrl,
                    body -> upgradedPids(new PrometheusText(body)).equals(new TreeSet<>(List.of(a, b))), 30);
            for (PrometheusText.Sample s : scrape.samples("imdsv2_requests_total")) {
                assertEquals(UrlConnectionClient.class.getName(), s.labels().get("main_class"), s.toString());
            }
            assertEquals(Set.of("imdsv2-" + a + ".prom", "imdsv2-" + b + ".prom"), promFiles());

            first.send("exit");
            assertEquals(0, first.awaitExit());
            assertEquals(Set.of("imdsv2-" + b + ".prom"), promFiles(), "an exited JVM's file is gone at once");
            PrometheusText after = PrometheusText.scrapeWhen(scrapeUrl, body -> upgradedPids(new PrometheusText(body)).equals(Set.of(b)), 30);
            assertFalse(after.text().contains("pid=\"" + a + "\""), after.text());

            // A JVM killed without its exit: the next JVM that writes there removes its file.
            ProcessHandle.of(second.pid()).orElseThrow().destroyForcibly();
            second.awaitExit();
            assertEquals(Set.of("imdsv2-" + b + ".prom"), promFiles(), "SIGKILL runs no exit hook");
            try (ChildJvm third = interactive(settings)) {
                String c = Long.toString(third.pid());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!promFiles().equals(Set.of("imdsv2-" + c + ".prom")) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(Set.of("imdsv2-" + c + ".prom"), promFiles(), "the dead JVM's file was removed");
                third.send("exit");
                third.awaitExit();
            }
        }
    }

    @Test
    void portZeroGivesEachJvmAFreePortNamedInItsStartLine() throws Exception {
        try (ChildJvm first = interactive(agentArgs("metrics.prometheus.port=0"));
             ChildJvm second = interactive(agentArgs("metrics.prometheus.port=0"))) {
            Set<String> urls = new TreeSet<>();
            for (ChildJvm app : List.of(first, second)) {
                app.send("get");
                assertEquals("RESULT 200 " + INSTANCE_ID, app.awaitLine("RESULT"));
                String start = app.stderr().stream().filter(l -> l.contains(" started: ")).findFirst().orElseThrow();
                java.util.regex.Matcher url = java.util.regex.Pattern.compile("metrics=(http://127\\.0\\.0\\.1:(\\d+)/metrics)").matcher(start);
                assertTrue(url.find(), start);
                assertTrue(Integer.parseInt(url.group(2)) > 0, start);
                urls.add(url.group(1));
                PrometheusText scrape = PrometheusText.scrapeWhen(url.group(1), body -> body.contains("action=\"upgraded\""), 20);
                assertEquals(1.0, scrape.series("imdsv2_requests_total").values().stream().mapToDouble(Double::doubleValue).sum());
                AgentCli status = AgentCli.run("status", Long.toString(app.pid()));
                assertTrue(status.stdout.contains("metrics:    " + url.group(1)), status.toString());
            }
            assertEquals(2, urls.size(), "two JVMs, two ports: " + urls);
            for (ChildJvm app : List.of(first, second)) {
                assertTrue(app.agentWarnings().stream().noneMatch(l -> l.contains("could not start")), app.transcript());
            }
        }
    }

    private ChildJvm interactive(String settings) throws Exception {
        ChildJvm app = ChildJvm.withAgent(settings).main(UrlConnectionClient.class, "interactive", url(INSTANCE_ID_PATH)).start();
        app.awaitLine("READY");
        return app;
    }

    private static Set<String> upgradedPids(PrometheusText scrape) {
        return scrape.samples("imdsv2_requests_total").stream()
                .filter(s -> "upgraded".equals(s.labels().get("action")) && s.value() == 1.0)
                .map(s -> s.labels().get("pid")).collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> promFiles() throws Exception {
        try (var files = Files.list(textfiles)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".prom")).collect(Collectors.toSet());
        }
    }
}
