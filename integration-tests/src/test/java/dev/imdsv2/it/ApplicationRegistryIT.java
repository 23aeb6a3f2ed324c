package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The agent's meters in the application's own Micrometer, whatever its version: a real Spring Boot service's
 * {@code /actuator/prometheus}, and a plain program on the oldest Micrometer supported. Each runs on its own class
 * path (test-apps/target), as it would in production.
 */
class ApplicationRegistryIT extends SimulatorTest {

    @Test
    @ChildJavaAtLeast(value = 17, because = "Spring Boot 3")
    void aSpringBootActuatorScrapeShowsTheAgentsMeters() throws Exception {
        int port = PrometheusText.freePort();
        try (ChildJvm app = ChildJvm.withAgent(agentArgs(MetricsIT.PATIENT))
                .classPath(classPath("boot-lib"))
                .main("dev.imdsv2.testapps.boot.BootApp", "--server.address=127.0.0.1", "--server.port=" + port,
                        "--management.endpoints.web.exposure.include=prometheus", "--spring.main.banner-mode=off",
                        "--imds.url=" + url(INSTANCE_ID_PATH))
                .start()) {
            assertEquals("IMDS 200 " + INSTANCE_ID, app.awaitLine("IMDS "), "upgraded inside Spring Boot");
            app.awaitLine("READY");

            PrometheusText scrape = PrometheusText.scrapeWhen("http://127.0.0.1:" + port + "/actuator/prometheus",
                    body -> body.contains("imdsv2_requests_total"), 30);
            assertEquals(Map.of("action=upgraded,category=other-meta-data,client=urlconnection,version=v1", 1.0),
                    scrape.series("imdsv2_requests_total"), scrape.text());
            assertEquals(1.0, scrape.series("imdsv2_token_fetch_seconds_count").get("outcome=success"));
            assertEquals(1.0, scrape.value("imdsv2_call_sites"));
            assertTrue(scrape.value("imdsv2_token_expiry_seconds") > 21000, "a fresh token, default TTL 21600 s");
            assertTrue(scrape.text().contains("jvm_memory_used_bytes"), "Boot's own meters are there too: one registry");
        }
    }

    @Test
    void theOldestSupportedMicrometerGlobalRegistryShowsTheAgentsMeters() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs(MetricsIT.PATIENT))
                .classPath(classPath("micrometer-oldest-lib"))
                .main("dev.imdsv2.testapps.micrometer.GlobalRegistryApp", url(INSTANCE_ID_PATH), "30")
                .run();

        assertEquals(List.of("200 " + INSTANCE_ID), app.results("IMDS"), app.transcript());
        List<String> meters = app.results("METER");
        assertTrue(meters.contains("imdsv2.requests{action=upgraded,category=other-meta-data,client=urlconnection,version=v1,} 1.0"),
                app.transcript());
        assertTrue(meters.contains("imdsv2.token.fetch{outcome=success,} 1.0"), app.transcript());
        assertTrue(meters.contains("imdsv2.call.sites{} 1.0"), app.transcript());
        assertTrue(meters.stream().anyMatch(m -> m.startsWith("imdsv2.token.expiry{} ")), app.transcript());
    }

    @Test
    void applicationRegistryFalseLeavesTheApplicationsMicrometerAlone() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs(MetricsIT.PATIENT, "metrics.application-registry=false"))
                .classPath(classPath("micrometer-oldest-lib"))
                .main("dev.imdsv2.testapps.micrometer.GlobalRegistryApp", url(INSTANCE_ID_PATH), "2")
                .run();

        assertEquals(List.of("200 " + INSTANCE_ID), app.results("IMDS"), app.transcript());
        assertEquals(List.of(), app.results("METER"), app.transcript());
    }

    /** The test applications' jar and the libraries in {@code test-apps/target/<libDir>}. */
    private static String classPath(String libDir) throws IOException {
        Path target = Paths.get(System.getProperty("it.test.apps.dir"));
        Path appJar;
        try (Stream<Path> files = Files.list(target)) {
            appJar = files.filter(p -> p.getFileName().toString().matches("imdsv2-test-apps-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("test-apps not built in " + target));
        }
        try (Stream<Path> libs = Files.list(target.resolve(libDir))) {
            return Stream.concat(Stream.of(appJar), libs.sorted()).map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }
}
