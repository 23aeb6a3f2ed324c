package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.VertxApp;

/**
 * Vert.x 4.0 (oldest claimed), 4.5 (the newest 4.x) and 5.0 (newest): {@code WebClient} waited on ({@code blocking})
 * and with a callback ({@code async}), and the core {@code HttpClient} it is built on ({@code core}).
 */
class VertxIT extends ThirdPartyClientTest {
    private static final List<String> MODES = List.of("blocking", "async", "core");
    private static final String REDIRECT_MARKER = "X-Imdsv2-Agent-Redirected-From-Elsewhere";

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"vertx-oldest", "vertx-4-newest", "vertx-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(VertxApp.class, librarySet, MODES);
        assertTrue(imds.received().stream().noneMatch(r -> r.header(REDIRECT_MARKER) != null),
                "the agent's redirect marker never goes on the wire");
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"vertx-oldest", "vertx-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(VertxApp.class, librarySet, MODES);
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        retransformsClassesLoadedBeforeTheAttach(VertxApp.class, newestThatRuns("vertx-newest", "vertx-4-newest"));
    }

    /**
     * Enforce mode, with the socket catch-all on (the default): a refused hop fails in the caller and never reaches
     * IMDS; every request is counted once, under {@code vertx}, none under {@code unknown}.
     */
    @JdkIndependent
    @Test
    void enforceFailsRefusedHopsInTheCallerAndEachRequestIsCountedOnce() throws Exception {
        ChildJvm jvm = ChildJvm.withAgent(agentArgs("mode=enforce", "upgrade.paths=" + INSTANCE_ID_PATH))
                .libraries("vertx-newest")
                .main(VertxApp.class, "blocking", url(INSTANCE_ID_PATH), "--", "async", url("/latest/meta-data/ami-id"), "--",
                        "core", url(INSTANCE_ID_PATH), "--", "blocking", url(INSTANCE_ID_PATH), "--", "counts")
                .run();

        List<String> results = jvm.results("RESULT");
        assertEquals(4, results.size(), jvm.transcript());
        assertEquals("200 " + INSTANCE_ID, results.get(0), jvm.transcript());
        assertTrue(results.get(1).startsWith("ERROR") && results.get(1).contains("imdsv2-agent (mode=enforce) blocked")
                && results.get(1).contains("path /latest/meta-data/ami-id is not in imdsv2.upgrade.paths"), jvm.transcript());
        assertEquals("200 " + INSTANCE_ID, results.get(2), jvm.transcript());
        assertEquals("200 " + INSTANCE_ID, results.get(3), "the client goes on after a refused hop, " + jvm.transcript());
        assertTrue(metadataRequestsTo("/latest/meta-data/ami-id").isEmpty(), "the refused hop never reached IMDS");
        assertEquals(List.of("client=vertx,version=v1,action=blocked,category=other-meta-data 1",
                        "client=vertx,version=v1,action=upgraded,category=other-meta-data 3"),
                jvm.results("COUNT").stream().sorted().toList(), jvm.transcript());
    }
}
