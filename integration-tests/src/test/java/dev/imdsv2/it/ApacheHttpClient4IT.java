package dev.imdsv2.it;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.ApacheHttpClient4App;

/**
 * Apache HttpClient 4 classic at 4.3.6 (oldest claimed) and 4.5.14 (newest), HttpAsyncClient at 4.1 (oldest,
 * with the httpclient 4.4.1 it was released with) and 4.1.5 (newest).
 */
class ApacheHttpClient4IT extends ThirdPartyClientTest {

    @Test
    void oldestClassicUpgradesOnlyWhatMayBeUpgraded() throws Exception {
        upgradesOnlyWhatMayBeUpgraded(ApacheHttpClient4App.class, "apache4-oldest", List.of("sync"));
    }

    @Test
    void oldestAsyncUpgradesOnlyWhatMayBeUpgraded() throws Exception {
        upgradesOnlyWhatMayBeUpgraded(ApacheHttpClient4App.class, "apache4-async-oldest", SYNC_AND_ASYNC);
    }

    @Test
    void newestUpgradesOnlyWhatMayBeUpgraded() throws Exception {
        upgradesOnlyWhatMayBeUpgraded(ApacheHttpClient4App.class, "apache4-newest", SYNC_AND_ASYNC);
    }

    @Test
    void oldestClassicFailsWithoutTheAgent() throws Exception {
        tokenlessGetsFailWithoutTheAgent(ApacheHttpClient4App.class, "apache4-oldest", List.of("sync"));
    }

    @Test
    void oldestAsyncFailsWithoutTheAgent() throws Exception {
        tokenlessGetsFailWithoutTheAgent(ApacheHttpClient4App.class, "apache4-async-oldest", List.of("async"));
    }

    @Test
    void newestFailsWithoutTheAgent() throws Exception {
        tokenlessGetsFailWithoutTheAgent(ApacheHttpClient4App.class, "apache4-newest", SYNC_AND_ASYNC);
    }
}
