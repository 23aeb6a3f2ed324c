package dev.imdsv2.agent.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.KnownClient;

/** The one list of clients: every row's instrumentation exists, carries the row's name, and the names are unique. */
class KnownClientTest {

    @Test
    void eachThirdPartyRowNamesItsInstrumentation() throws Exception {
        int thirdParty = 0;
        for (KnownClient known : KnownClient.values()) {
            if (known.instrumentation == null) {
                continue;
            }
            thirdParty++;
            Object instrumentation = Class.forName(known.instrumentation).newInstance();
            assertTrue(instrumentation instanceof ClientInstrumentation, known.instrumentation);
            assertEquals(known.tag, ((ClientInstrumentation) instrumentation).client(), known.name());
            assertFalse(((ClientInstrumentation) instrumentation).targetClasses().isEmpty(), known.name());
            assertFalse(known.connectFrames.isEmpty(), known.name() + ": the socket catch-all must know its connects");
            assertFalse(known.callerSkippedPackages.isEmpty(), known.name() + ": its frames are never the caller");
        }
        assertEquals(7, thirdParty, "OkHttp, Apache 4 and 5, Reactor Netty, AsyncHttpClient, Jetty, Vert.x");
    }

    @Test
    void namesAreUniqueAndAreTheConfigurationsNames() {
        Set<String> tags = new HashSet<String>(KnownClient.tags());
        assertEquals(KnownClient.values().length, tags.size());
        assertEquals(KnownClient.tags(), AgentConfig.INSTRUMENTATIONS);
    }
}
