package dev.imdsv2.agent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.AssembledAgentState;
import dev.imdsv2.agent.report.Category;

/** The MBean on the platform server, read through JMX as the CLI and a JMX exporter read it. */
class AgentMBeanImplTest {
    private static final String SITE = "com.example.Legacy.read(Legacy.java:12)";
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @AfterEach
    void unregister() throws Exception {
        ObjectName name = new ObjectName(AgentMXBean.OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    private AgentMXBean registered(AssembledAgentState state) throws Exception {
        AgentMBeanImpl.register(state);
        return JMX.newMXBeanProxy(server, new ObjectName(AgentMXBean.OBJECT_NAME), AgentMXBean.class);
    }

    @Test
    void countsCallSitesAndTheVerdictReadThroughJmx() throws Exception {
        AssembledAgentState state = new AssembledAgentState("mode=observe");
        AgentMXBean bean = registered(state);
        assertEquals("observe", bean.getMode());
        assertEquals("0.0.0-test", bean.getVersion());
        assertFalse(bean.isReady(), "no verdict before a request");

        state.request(SITE, "okhttp", "v1", Action.PASSED, Category.CREDENTIALS);
        state.request(SITE, "okhttp", "v1", Action.PASSED, Category.CREDENTIALS);
        state.counters().countUnauthorized("okhttp");

        Map<String, Long> counts = bean.getRequestCounts();
        assertEquals(1, counts.size(), counts.toString());
        assertEquals(2L, counts.values().iterator().next(), counts.toString());
        assertTrue(counts.keySet().iterator().next().contains("okhttp"), counts.toString());
        assertEquals(Map.of("okhttp", 1L), bean.getUnauthorizedCounts());
        assertEquals(2, bean.getV1RequestsReachingImds());
        assertEquals(2, bean.getV1RequestsReachingImdsSinceStart());
        String[] sites = bean.getCallSites();
        assertEquals(1, sites.length);
        assertEquals(SITE + " client=okhttp category=credentials upgraded=0 passed=2 blocked=0", sites[0]);
        assertEquals("NOT_READY", bean.getReadiness());
        assertTrue(bean.getLastV1ReachingImds().endsWith(" from " + SITE), bean.getLastV1ReachingImds());
    }

    @Test
    void theModeSetOverJmxStartsANewPhase() throws Exception {
        AssembledAgentState state = new AssembledAgentState("mode=observe");
        AgentMXBean bean = registered(state);
        state.request(SITE, "urlconnection", "v1", Action.PASSED, Category.PLACEMENT);

        bean.setMode("upgrade");

        assertEquals("upgrade", state.config().mode().configName());
        assertEquals("upgrade", bean.getMode());
        assertEquals(0, bean.getV1RequestsReachingImds(), "counted anew from the switch");
        assertEquals(1, bean.getV1RequestsReachingImdsSinceStart(), "the total since start stays");
        assertNull(bean.getLastV1ReachingImds());
    }

    @Test
    void registeringTwiceKeepsTheFirst() throws Exception {
        AssembledAgentState first = new AssembledAgentState("mode=observe");
        AgentMXBean bean = registered(first);
        AgentMBeanImpl.register(new AssembledAgentState("mode=enforce"));
        assertEquals("observe", bean.getMode());
    }
}
