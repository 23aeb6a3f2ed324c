package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.AttachLaterApp;
import dev.imdsv2.it.apps.JettyApp;
import dev.imdsv2.simulator.ReceivedRequest;

/**
 * Jetty HttpClient 9.4 (newest 9.4.x), 11 (the 9.4-11 package layout's newest) and 12.0.0 to 12.1.x (the other
 * layout, oldest and newest), sync ({@code send()}) and async ({@code FutureResponseListener} /
 * {@code CompletableResponseListener}).
 */
class JettyIT extends ThirdPartyClientTest {

    @ParameterizedTest
    @ValueSource(strings = {"jetty-9.4", "jetty-11", "jetty-12-oldest", "jetty-12-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(JettyApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetty-9.4", "jetty-12-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(JettyApp.class, librarySet, SYNC_AND_ASYNC);
    }

    /** With the socket catch-all on (the default), each request is counted once, as Jetty's, never as {@code unknown}. */
    @ParameterizedTest
    @ValueSource(strings = {"jetty-9.4", "jetty-12-newest"})
    void eachRequestIsCountedOnceUnderJettysTag(String librarySet) throws Exception {
        ChildJvm jvm = ChildJvm.withAgent(agentArgs("token.timeout=5000")).libraries(librarySet).main(JettyApp.class,
                "sync", url(INSTANCE_ID_PATH), "--", "async", url(INSTANCE_ID_PATH), "--", "counts").run();

        assertEquals(List.of("200 " + INSTANCE_ID, "200 " + INSTANCE_ID), jvm.results("RESULT"), jvm.transcript());
        assertEquals(List.of("client=jetty-client,version=v1,action=upgraded,category=other-meta-data 2"),
                jvm.results("COUNT"), jvm.transcript());
        assertTrue(jvm.stderr().get(0).contains("jetty-client") && jvm.stderr().get(0).contains("socket"), jvm.transcript());
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        ChildJvm jvm = ChildJvm.withoutAgent().libraries("jetty-12-newest").jvm("-Djdk.attach.allowAttachSelf=true")
                .main(AttachLaterApp.class, ChildJvm.agentJar().toString(), agentArgs("token.timeout=5000"), url(INSTANCE_ID_PATH),
                        JettyApp.class.getName())
                .run();

        List<String> results = jvm.results("RESULT");
        assertEquals(2, results.size(), jvm.transcript());
        assertTrue(results.get(0).startsWith("401"), "before the attach: IMDSv1, refused\n" + jvm.transcript());
        assertEquals("200 " + INSTANCE_ID, results.get(1), "after the attach: upgraded\n" + jvm.transcript());
        List<ReceivedRequest> gets = metadataRequestsTo(INSTANCE_ID_PATH);
        assertFalse(gets.get(0).hasToken());
        assertTrue(gets.get(1).hasToken());
    }
}
