package dev.imdsv2.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.imdsv2.it.apps.OkHttpApp;

/** OkHttp 3.12 (oldest claimed), 3.14 (the last 3.x, other internals), 4.12 and 5.x (newest), sync ({@code execute}) and async ({@code enqueue}). */
class OkHttpIT extends ThirdPartyClientTest {

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"okhttp-oldest", "okhttp-3.14", "okhttp-4", "okhttp-newest"})
    void upgradesOnlyWhatMayBeUpgraded(String librarySet) throws Exception {
        upgradesOnlyWhatMayBeUpgraded(OkHttpApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @JdkIndependent
    @ParameterizedTest
    @ValueSource(strings = {"okhttp-oldest", "okhttp-newest"})
    void tokenlessGetsFailWithoutTheAgent(String librarySet) throws Exception {
        tokenlessGetsFailWithoutTheAgent(OkHttpApp.class, librarySet, SYNC_AND_ASYNC);
    }

    @Test
    void classesLoadedBeforeTheAgentIsAttachedAreRetransformed() throws Exception {
        retransformsClassesLoadedBeforeTheAttach(OkHttpApp.class, "okhttp-newest");
    }
}
