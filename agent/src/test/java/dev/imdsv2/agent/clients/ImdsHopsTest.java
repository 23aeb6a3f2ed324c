package dev.imdsv2.agent.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.Properties;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.Readiness;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenFetchStats;
import dev.imdsv2.agent.token.TokenManager;

/** {@link ImdsHops#endpointOfUrl}: a client's URL string, read in place; the relay headers read through a client's own method. */
class ImdsHopsTest {

    @BeforeAll
    static void installDecisionPath() {
        AgentConfig config = ConfigLoader.load("endpoints=http://169.254.169.254;http://[fd00:ec2::254];http://127.0.0.1:1338",
                new Properties(), Collections.<String, String>emptyMap());
        ImdsHops.install(new DecisionPath(config, new TokenManager(config, new TokenFetchStats()), new RequestCounters(new Readiness("upgrade", 0, 0)),
                new CallSites(new Readiness("upgrade", 0, 0)), new Runnable() {
                    @Override
                    public void run() {
                    }
                }));
    }

    @Test
    void findsTheEndpointOfAUrl() {
        assertEquals(80, ImdsHops.endpointOfUrl("http://169.254.169.254/latest/meta-data/").port());
        assertNotNull(ImdsHops.endpointOfUrl("http://169.254.169.254:80/latest/meta-data/"));
        assertNotNull(ImdsHops.endpointOfUrl("http://169.254.169.254"), "no path");
        assertNotNull(ImdsHops.endpointOfUrl("http://169.254.169.254?x=1"));
        assertNotNull(ImdsHops.endpointOfUrl("http://user@169.254.169.254/"), "user info is not the host");
        assertNotNull(ImdsHops.endpointOfUrl("http://[fd00:ec2:0::254]/latest/"), "IPv6, normalised");
        assertEquals(1338, ImdsHops.endpointOfUrl("http://127.0.0.1:1338/latest/meta-data/").port());
    }

    @Test
    void otherHostsPortsAndSchemesAreNotImds() {
        assertNull(ImdsHops.endpointOfUrl("http://169.254.169.254:8080/latest/meta-data/"));
        assertNull(ImdsHops.endpointOfUrl("https://169.254.169.254/latest/meta-data/"));
        assertNull(ImdsHops.endpointOfUrl("ws://169.254.169.254/"));
        assertNull(ImdsHops.endpointOfUrl("http://169.254.169.2541/"));
        assertNull(ImdsHops.endpointOfUrl("http://example.com/http://169.254.169.254/"), "only the authority counts");
        assertNull(ImdsHops.endpointOfUrl("http://169.254.169.254.example.com/"));
        assertNull(ImdsHops.endpointOfUrl("http://[fd00:ec2::255]/"));
        assertNull(ImdsHops.endpointOfUrl("http://127.0.0.1:99999999999/"), "a port out of range");
        assertNull(ImdsHops.endpointOfUrl(null));
    }

    @Test
    void readsTheRelayHeadersWithTheClientsOwnLookup() {
        Properties valueLookup = new Properties(); // getProperty(String): a value, null when absent
        valueLookup.setProperty("Accept", "*/*");
        assertFalse(ImdsHops.carriesRelayHeader(valueLookup, Properties.class, "getProperty"));
        valueLookup.setProperty("Via", "1.1 relay");
        assertTrue(ImdsHops.carriesRelayHeader(valueLookup, Properties.class, "getProperty"));

        Set<String> containsLookup = new HashSet<String>(); // contains(String): a boolean
        containsLookup.add("X-Forwarded-For");
        assertTrue(ImdsHops.carriesRelayHeader(new Names(containsLookup), Names.class, "contains"));
        assertFalse(ImdsHops.carriesRelayHeader(new Names(new HashSet<String>()), Names.class, "contains"));
    }

    @Test
    void aLookupTheClientLacksCountsAsRelayed() {
        assertTrue(ImdsHops.carriesRelayHeader(new Properties(), Properties.class, "noSuchMethod"));
    }

    /** A public type with a public {@code contains(String)}, as Netty's and Vert.x's headers have. */
    public static final class Names {
        private final Set<String> names;

        Names(Set<String> names) {
            this.names = names;
        }

        public boolean contains(String name) {
            return names.contains(name);
        }
    }
}
