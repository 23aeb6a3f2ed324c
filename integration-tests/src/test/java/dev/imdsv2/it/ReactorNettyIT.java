package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.ReactorNettyApp;
import dev.imdsv2.simulator.ReceivedRequest;

/**
 * Reactor Netty {@code HttpClient} 1.0.0 (oldest claimed) and 1.3 (newest), blocking ({@code sync}) and
 * reactive ({@code async}), on Netty's NIO transport.
 */
class ReactorNettyIT extends ThirdPartyClientTest {
    private ConnectProxy tunnels;

    /** Reactor Netty tunnels plain HTTP through an HTTP proxy too ({@code CONNECT}): a tunnelling front to the recording proxy. */
    @Override
    int proxyPort() throws IOException {
        if (tunnels == null) {
            tunnels = new ConnectProxy(proxy.port());
        }
        return tunnels.port();
    }

    @AfterEach
    void stopTunnels() throws IOException {
        if (tunnels != null) {
            tunnels.close();
        }
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"reactor-netty-oldest", "reactor-netty-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(ReactorNettyApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"reactor-netty-oldest", "reactor-netty-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(ReactorNettyApp.class, librarySet, SYNC_AND_ASYNC);
    }

    /**
     * With the socket catch-all on (the default), the NIO channel that Reactor Netty connects to IMDS is its
     * own: each request is counted once, under {@code reactor-netty}, never also under {@code unknown}. A 401
     * to an upgraded request (IMDS forgot the token) drops the token: the next request gets a new one.
     */
    @JdkIndependent
    @Test
    void eachRequestIsCountedOnceAndA401DropsTheToken() throws Exception {
        try (ChildJvm app = ChildJvm.withAgent(agentArgs("token.timeout=5000")).libraries("reactor-netty-newest")
                .main(ReactorNettyApp.class, "sync", url(INSTANCE_ID_PATH), "--", "async", url(INSTANCE_ID_PATH), "--",
                        "pause", "--", "async", url(INSTANCE_ID_PATH), "--", "sync", url(INSTANCE_ID_PATH), "--", "counts")
                .start()) {
            app.awaitLine("PAUSED");
            imds.expireAllTokens();
            app.send("go");
            app.awaitExit();

            List<String> results = app.results("RESULT");
            assertEquals(4, results.size(), app.transcript());
            assertEquals(List.of("200 " + INSTANCE_ID, "200 " + INSTANCE_ID), results.subList(0, 2), app.transcript());
            assertTrue(results.get(2).startsWith("401"), "Reactor Netty hands a 401 on\n" + app.transcript());
            assertEquals("200 " + INSTANCE_ID, results.get(3), "a new token after the 401\n" + app.transcript());
            assertEquals(2, imds.tokenPutCount(), "the rejected token was dropped and replaced once");
            assertEquals(List.of("client=reactor-netty,version=v1,action=upgraded,category=other-meta-data 4"),
                    app.results("COUNT"), app.transcript());
            assertTrue(app.stderr().stream().noneMatch(l -> l.contains("client=unknown")), app.transcript());
        }
    }

    /** Enforce: a request the agent may not upgrade fails in the caller, blocking or reactive, and never reaches IMDS. */
    @JdkIndependent
    @Test
    void enforceFailsWhatItMayNotUpgradeInTheCaller() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs("mode=enforce", "upgrade.paths=" + INSTANCE_ID_PATH))
                .libraries("reactor-netty-oldest")
                .main(ReactorNettyApp.class, "sync", url("/latest/meta-data/ami-id"), "--", "async", url("/latest/meta-data/ami-id"),
                        "--", "async", url(INSTANCE_ID_PATH))
                .run();

        List<String> results = app.results("RESULT");
        assertEquals(3, results.size(), app.transcript());
        for (String blocked : results.subList(0, 2)) {
            assertTrue(blocked.startsWith("ERROR ") && blocked.contains("imdsv2-agent (mode=enforce) blocked")
                    && blocked.contains("not in imdsv2.upgrade.paths"), app.transcript());
        }
        assertEquals("200 " + INSTANCE_ID, results.get(2), app.transcript());
        assertEquals(List.of(INSTANCE_ID_PATH), imds.metadataRequests().stream().map(ReceivedRequest::path).toList(),
                "the blocked requests never reached IMDS");
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        retransformsClassesLoadedBeforeTheAttach(ReactorNettyApp.class, "reactor-netty-newest");
    }
}
