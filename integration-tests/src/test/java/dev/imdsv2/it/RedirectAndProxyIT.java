package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.UrlConnectionClient;
import dev.imdsv2.simulator.ReceivedRequest;
import dev.imdsv2.simulator.RecordingServer;

/** The token goes only to IMDS: never to another host, never across a redirect, never through a proxy. */
class RedirectAndProxyIT extends SimulatorTest {
    private static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    private RecordingServer other;

    @BeforeEach
    void startOtherServer() {
        other = RecordingServer.start();
    }

    @AfterEach
    void stopOtherServer() {
        other.close();
    }

    @Test
    void aNonImdsServerNeverReceivesTheToken() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH), "--", "get", other.baseUrl() + "/api")
                .run();

        assertEquals(List.of("200 " + INSTANCE_ID, "200 ok"), app.results("RESULT"), app.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken(), "a token was there to leak");
        assertNull(other.received().get(0).header(TOKEN_HEADER));
    }

    @Test
    void aRedirectFromImdsToAnotherHostLosesTheToken() throws Exception {
        imds.redirect("/latest/meta-data/moved", other.baseUrl() + "/landing", 302);
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "get", url("/latest/meta-data/moved"))
                .run();

        assertEquals(List.of("200 ok"), app.results("RESULT"), app.transcript());
        assertTrue(metadataRequestsTo("/latest/meta-data/moved").get(0).hasToken(), "the IMDS hop was upgraded");
        ReceivedRequest landing = other.received().get(0);
        assertEquals("/landing", landing.path());
        assertNull(landing.header(TOKEN_HEADER), "the redirected hop must not carry the token");
    }

    @Test
    void aRedirectFromAnotherHostIntoImdsArrivesWithoutAToken() throws Exception {
        other.redirect("/jump", url(INSTANCE_ID_PATH), 302);
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .main(UrlConnectionClient.class, "get", url(INSTANCE_ID_PATH), "--", "get", other.baseUrl() + "/jump")
                .run();

        List<String> results = app.results("RESULT");
        assertEquals("200 " + INSTANCE_ID, results.get(0), app.transcript());
        assertTrue(results.get(1).startsWith("401"), "the SSRF path gets no token\n" + app.transcript());
        List<ReceivedRequest> atImds = metadataRequestsTo(INSTANCE_ID_PATH);
        assertTrue(atImds.get(0).hasToken());
        assertFalse(atImds.get(1).hasToken(), "the hop redirected into IMDS carried no token");
    }

    @Test
    void theTokenPutNeverGoesThroughTheApplicationsProxy() throws Exception {
        try (RecordingServer proxy = RecordingServer.startForwardProxy()) {
            ChildJvm app = ChildJvm.withAgent(agentArgs())
                    // Java bypasses the proxy for loopback unless http.nonProxyHosts is set to empty: without that, this test proves nothing.
                    .jvm("-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + proxy.port(), "-Dhttp.nonProxyHosts=")
                    .main(UrlConnectionClient.class, "noProxyGet", url(INSTANCE_ID_PATH), "--", "get", url("/latest/meta-data/ami-id"))
                    .run();

            List<String> results = app.results("RESULT");
            assertEquals("200 " + INSTANCE_ID, results.get(0), "a direct request is upgraded\n" + app.transcript());
            assertTrue(results.get(1).startsWith("401"), "a proxied request is never upgraded\n" + app.transcript());
            assertEquals(1, imds.tokenPutCount());
            List<ReceivedRequest> viaProxy = proxy.received();
            assertEquals(1, viaProxy.size(), "only the application's proxied GET went through the proxy: " + viaProxy);
            assertEquals("GET", viaProxy.get(0).method());
            assertNull(viaProxy.get(0).header(TOKEN_HEADER), "no token through a proxy");
            assertFalse(metadataRequestsTo("/latest/meta-data/ami-id").get(0).hasToken());
        }
    }
}
