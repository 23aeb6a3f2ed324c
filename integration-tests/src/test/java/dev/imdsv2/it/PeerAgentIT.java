package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.RawSocketApp;
import dev.imdsv2.simulator.ReceivedRequest;

/**
 * Beside the OpenTelemetry Java agent, both as {@code -javaagent}, in either order: both instrument the same
 * {@code HttpURLConnection} and {@code HttpClient} requests to IMDS. Ours upgrades them (tokens are required);
 * OpenTelemetry still traces them (a span per request on its logging exporter, and its {@code traceparent} header
 * on what IMDS received). Each JVM costs ~4 s of OpenTelemetry start-up: two JVMs per pass.
 */
class PeerAgentIT extends SimulatorTest {

    static Path openTelemetryAgent() {
        Path jar = Paths.get(System.getProperty("it.peer.agents", "target/peer-agents"), "opentelemetry-javaagent.jar");
        assertTrue(Files.isRegularFile(jar), "no OpenTelemetry agent at " + jar + ": run the tests through Maven");
        return jar.toAbsolutePath();
    }

    @ParameterizedTest(name = "OpenTelemetry agent first: {0}")
    @ValueSource(booleans = {true, false})
    void bothAgentsSeeAndDoTheirWorkInEitherOrder(boolean openTelemetryFirst) throws Exception {
        int java = ChildJvm.javaFeatureVersion();
        List<String> requests = new ArrayList<>(List.of("urlconnection", url(INSTANCE_ID_PATH)));
        if (java >= 11) {
            requests.addAll(List.of("--", "send", "http1", url(INSTANCE_ID_PATH)));
        }
        String ours = "-javaagent:" + ChildJvm.agentJar() + "=" + agentArgs();
        String theirs = "-javaagent:" + openTelemetryAgent();
        ChildJvm app = ChildJvm.withoutAgent()
                .jvm(openTelemetryFirst ? theirs : ours, openTelemetryFirst ? ours : theirs,
                        "-Dotel.traces.exporter=logging", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
                        "-Dotel.service.name=imdsv2-peer-agent-it",
                        // OpenTelemetry 2.10's Byte Buddy predates Java 25 class files and, without this, silently
                        // instruments nothing there. Ours is relocated, so the flag reaches only theirs.
                        "-Dnet.bytebuddy.experimental=true")
                .main(RawSocketApp.class, requests.toArray(new String[0]))
                .run();
        int clients = java >= 11 ? 2 : 1;

        assertEquals(0, app.exitCode(), app.transcript());
        assertEquals(Collections.nCopies(clients, "200 " + INSTANCE_ID), app.results("RESULT"), "upgraded\n" + app.transcript());
        List<ReceivedRequest> received = metadataRequestsTo(INSTANCE_ID_PATH);
        assertEquals(clients, received.size(), app.transcript());
        assertTrue(received.stream().allMatch(ReceivedRequest::hasToken), "both upgraded\n" + app.transcript());
        // OpenTelemetry 2.10 on its own traces java.net.http only up to Java 24 (it instruments nothing of it on 25):
        // there, and on Java 8 which has no java.net.http, only the HttpURLConnection request carries its trace context.
        List<String> traced = java >= 11 && java < 25
                ? List.of("io.opentelemetry.http-url-connection", "io.opentelemetry.java-http-client")
                : List.of("io.opentelemetry.http-url-connection");
        assertEquals(traced.size(), received.stream().filter(r -> r.header("traceparent") != null).count(),
                "OpenTelemetry's trace context on what IMDS received: " + received.stream().map(ReceivedRequest::headers).toList()
                        + "\n" + app.transcript());
        assertEquals(1, imds.tokenPutCount());
        assertTrue(imds.received().stream().filter(r -> r.method().equals("PUT")).noneMatch(r -> r.header("traceparent") != null),
                "the agent's own token PUT is not instrumented, by either agent");
        for (String tracer : traced) {
            assertTrue(app.stderr().stream().anyMatch(l -> l.contains("tracer: " + tracer) && l.contains(INSTANCE_ID_PATH)),
                    "OpenTelemetry logged the span of the " + tracer + " GET to IMDS\n" + app.transcript());
        }
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("[imdsv2-agent]") && l.contains(" started: ")), app.transcript());
    }
}
