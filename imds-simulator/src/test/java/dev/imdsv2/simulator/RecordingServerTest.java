package dev.imdsv2.simulator;

import static dev.imdsv2.simulator.Http.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingServerTest {
    private final Http http = new Http();

    @Test
    void answersOkAndRecordsEveryHeader() {
        try (RecordingServer server = RecordingServer.start()) {
            HttpResponse<String> response =
                    http.get(server.baseUrl() + "/anything/here?q=1", TOKEN, "leaked?", "X-Custom", "a");
            http.send("DELETE", server.baseUrl() + "/other");

            assertEquals(200, response.statusCode());
            assertEquals("ok", response.body());
            List<ReceivedRequest> received = server.received();
            assertEquals(2, received.size());
            assertEquals("GET", received.get(0).method());
            assertEquals("/anything/here", received.get(0).path());
            assertEquals("leaked?", received.get(0).token());
            assertEquals("a", received.get(0).header("x-custom"));
            assertEquals("127.0.0.1:" + server.port(), received.get(0).header("Host"));
            assertEquals(200, received.get(0).status());
            assertEquals("DELETE", received.get(1).method());
            assertEquals(false, received.get(1).hasToken());
        }
    }

    @Test
    void redirectsOnDemand() {
        try (RecordingServer server = RecordingServer.start()) {
            server.redirect("/start", "http://127.0.0.1:1/latest/meta-data/", 301);
            HttpResponse<String> response = http.get(server.baseUrl() + "/start");
            assertEquals(301, response.statusCode());
            assertEquals("http://127.0.0.1:1/latest/meta-data/", response.headers().firstValue("Location").orElse(null));
            assertEquals(200, http.get(server.baseUrl() + "/elsewhere").statusCode());
            assertEquals(301, server.received().get(0).status());
        }
    }

    @Test
    void forwardProxyForwardsToTheSimulatorAndRecords() {
        try (ImdsSimulator imds = ImdsSimulator.start(true);
                RecordingServer proxy = RecordingServer.startForwardProxy()) {
            Http viaProxy = Http.viaProxy(proxy.port());
            String token = new Http().token(imds, 60);

            HttpResponse<String> response =
                    viaProxy.get(imds.baseUrl() + "/latest/meta-data/instance-id", TOKEN, token);

            assertEquals(200, response.statusCode());
            assertEquals("i-0b22a22eec53b9321", response.body());
            ReceivedRequest seenByProxy = proxy.received().get(0);
            assertEquals("/latest/meta-data/instance-id", seenByProxy.path());
            assertEquals("127.0.0.1:" + imds.port(), seenByProxy.header("Host"));
            assertEquals(token, seenByProxy.token());
            assertEquals(200, seenByProxy.status());
            ReceivedRequest seenByImds = imds.metadataRequests().get(0);
            assertEquals(token, seenByImds.token());
            assertEquals(200, seenByImds.status());
            assertEquals(seenByProxy.header("User-Agent"), seenByImds.header("User-Agent"));
            assertTrue(proxy.received().size() == 1 && imds.metadataRequests().size() == 1);
        }
    }
}
