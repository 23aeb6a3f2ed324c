package dev.imdsv2.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.AsyncHttpClientApp;

/**
 * AsyncHttpClient 2.0.25 (oldest claimed: the first 2.x that runs on JDK 9+; Netty 4.0) and 2.12.x (newest, Netty 4.1), sync ({@code execute().get()})
 * and async ({@code execute(AsyncCompletionHandler)}, {@code toCompletableFuture()}).
 */
class AsyncHttpClientIT extends ThirdPartyClientTest {

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"ahc-oldest", "ahc-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(AsyncHttpClientApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"ahc-oldest", "ahc-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(AsyncHttpClientApp.class, librarySet, SYNC_AND_ASYNC);
    }

    /** The connect happens on a Netty event loop: the socket catch-all (on by default) must still leave it to this client. */
    @JdkIndependent
    @Test
    void eachRequestIsCountedOnceUnderItsClientWithTheSocketCatchAllOn() throws Exception {
        countedOnceUnderItsClient(AsyncHttpClientApp.class, "ahc-newest", "async-http-client", SYNC_AND_ASYNC);
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        retransformsClassesLoadedBeforeTheAttach(AsyncHttpClientApp.class, "ahc-newest");
    }
}
