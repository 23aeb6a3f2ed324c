package dev.imdsv2.agent.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Collections;
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

/** {@link ImdsHops#endpointOfUrl}: a client's URL string, read in place. */
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
}
