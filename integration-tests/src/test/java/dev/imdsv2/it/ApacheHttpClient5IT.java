package dev.imdsv2.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.ApacheHttpClient5App;

/** Apache HttpClient 5, classic and async, at 5.0.4 (oldest claimed line) and the newest 5.x. */
class ApacheHttpClient5IT extends ThirdPartyClientTest {

    @ParameterizedTest
    @ValueSource(strings = {"apache5-oldest", "apache5-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(ApacheHttpClient5App.class, librarySet, SYNC_AND_ASYNC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"apache5-oldest", "apache5-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(ApacheHttpClient5App.class, librarySet, SYNC_AND_ASYNC);
    }
}
