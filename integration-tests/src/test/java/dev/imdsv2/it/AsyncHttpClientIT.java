package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.AsyncHttpClientApp;
import dev.imdsv2.it.apps.AttachLaterApp;
import dev.imdsv2.simulator.ReceivedRequest;

/**
 * AsyncHttpClient 2.0.25 (oldest claimed: the first 2.x that runs on JDK 9+; Netty 4.0) and 2.12.x (newest, Netty 4.1), sync ({@code execute().get()})
 * and async ({@code execute(AsyncCompletionHandler)}, {@code toCompletableFuture()}).
 */
class AsyncHttpClientIT extends ThirdPartyClientTest {

    /** Netty 4.0 and 4.1 use sun.misc.Unsafe, which Java 24+ warns about on stderr: that warning is not the agent's. */
    @Override
    List<String> appJvmOptions() {
        return List.of("-Dio.netty.noUnsafe=true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ahc-oldest", "ahc-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(AsyncHttpClientApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ahc-oldest", "ahc-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(AsyncHttpClientApp.class, librarySet, SYNC_AND_ASYNC);
    }

    /** The connect happens on a Netty event loop: the socket catch-all (on by default) must still leave it to this client. */
    @Test
    void eachRequestIsCountedOnceUnderItsClientWithTheSocketCatchAllOn() throws Exception {
        ChildJvm jvm = ChildJvm.withAgent(agentArgs("token.timeout=5000")).libraries("ahc-newest").main(AsyncHttpClientApp.class,
                "sync", url(INSTANCE_ID_PATH), "--", "async", url(INSTANCE_ID_PATH), "--", "counts").run();

        assertEquals(List.of("200 " + INSTANCE_ID, "200 " + INSTANCE_ID), jvm.results("RESULT"), jvm.transcript());
        assertTrue(jvm.stderr().get(0).contains("async-http-client") && jvm.stderr().get(0).contains("socket"), jvm.transcript());
        assertEquals(List.of("client=async-http-client,version=v1,action=upgraded,category=other-meta-data 2"),
                jvm.results("COUNT"), jvm.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).stream().allMatch(ReceivedRequest::hasToken));
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        ChildJvm jvm = ChildJvm.withoutAgent().libraries("ahc-newest").jvm("-Djdk.attach.allowAttachSelf=true")
                .main(AttachLaterApp.class, ChildJvm.agentJar().toString(), agentArgs("token.timeout=5000"), url(INSTANCE_ID_PATH),
                        AsyncHttpClientApp.class.getName())
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
