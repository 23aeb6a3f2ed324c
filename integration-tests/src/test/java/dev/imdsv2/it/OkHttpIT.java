package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.AttachLaterApp;
import dev.imdsv2.it.apps.OkHttpApp;
import dev.imdsv2.simulator.ReceivedRequest;

/** OkHttp 3.12 (oldest claimed), 3.14 (the last 3.x, other internals), 4.12 and 5.x (newest), sync ({@code execute}) and async ({@code enqueue}). */
class OkHttpIT extends ThirdPartyClientTest {

    @ParameterizedTest
    @ValueSource(strings = {"okhttp-oldest", "okhttp-3.14", "okhttp-4", "okhttp-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(OkHttpApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"okhttp-oldest", "okhttp-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(OkHttpApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        ChildJvm jvm = ChildJvm.withoutAgent().libraries("okhttp-newest").jvm("-Djdk.attach.allowAttachSelf=true")
                .main(AttachLaterApp.class, ChildJvm.agentJar().toString(), agentArgs("token.timeout=5000"), url(INSTANCE_ID_PATH))
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
