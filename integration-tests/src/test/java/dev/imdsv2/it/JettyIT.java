package dev.imdsv2.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.JettyApp;

/**
 * Jetty HttpClient 9.4 (newest 9.4.x), 11 (the 9.4-11 package layout's newest) and 12.0.0 to 12.1.x (the other
 * layout, oldest and newest), sync ({@code send()}) and async ({@code FutureResponseListener} /
 * {@code CompletableResponseListener}).
 */
class JettyIT extends ThirdPartyClientTest {

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"jetty-9.4", "jetty-11", "jetty-12-oldest", "jetty-12-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(JettyApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"jetty-9.4", "jetty-12-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(JettyApp.class, librarySet, SYNC_AND_ASYNC);
    }

    /** With the socket catch-all on (the default), each request is counted once, as Jetty's, never as {@code unknown}. */
    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"jetty-9.4", "jetty-12-newest"})
    void eachRequestIsCountedOnceUnderJettysTag(String librarySet) throws Exception {
        countedOnceUnderItsClient(JettyApp.class, librarySet, "jetty-client", SYNC_AND_ASYNC);
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        retransformsClassesLoadedBeforeTheAttach(JettyApp.class, newestThatRuns("jetty-12-newest", "jetty-11", "jetty-9.4"));
    }
}
