package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.PolicyClient;
import dev.imdsv2.simulator.ReceivedRequest;

/** observe, upgrade, enforce; the caller and path policy; the mode switched at run time over JMX. */
class PhasedShutoffIT extends SimulatorTest {
    private static final String TRUSTED = "dev.imdsv2.it.apps.PolicyClient$Trusted";
    private static final String REGION_PATH = "/latest/meta-data/placement/region";

    private ChildJvm policyApp(String agentArgs) throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs).main(PolicyClient.class).start();
        app.awaitLine("READY");
        return app;
    }

    private static String ask(ChildJvm app, String command) throws Exception {
        app.send(command);
        return app.awaitLine("RESULT ").substring("RESULT ".length());
    }

    @Test
    void observeChangesNothingButCountsAndReports() throws Exception {
        try (ChildJvm app = policyApp(agentArgs("mode=observe"))) {
            assertTrue(ask(app, "untrusted " + url(INSTANCE_ID_PATH)).startsWith("401"));
            app.send("exit");
            app.awaitExit();
            assertEquals(0, imds.tokenPutCount(), "observe never fetches a token");
            assertTrue(imds.metadataRequests().stream().noneMatch(ReceivedRequest::hasToken), "nor adds one");
            assertTrue(app.stderr().stream().anyMatch(l -> l.contains("IMDSv1 call site " + "dev.imdsv2.it.apps.PolicyClient$Untrusted.get")
                    && l.contains("action=passed")), app.transcript());
        }
    }

    @Test
    void enforceBlocksADisallowedCallerInTheCallerAndUpgradesAnAllowedOne() throws Exception {
        try (ChildJvm app = policyApp(agentArgs("mode=enforce", "upgrade.callers=" + TRUSTED))) {
            String blocked = ask(app, "untrusted " + url(INSTANCE_ID_PATH));
            String allowed = ask(app, "trusted " + url(INSTANCE_ID_PATH));

            assertTrue(blocked.startsWith("ERROR java.io.IOException: imdsv2-agent (mode=enforce) blocked"), blocked);
            assertTrue(blocked.contains("dev.imdsv2.it.apps.PolicyClient$Untrusted.get(PolicyClient.java:"), "names the call site: " + blocked);
            assertTrue(blocked.contains("is not in imdsv2.upgrade.callers"), "says why: " + blocked);
            assertEquals("200 " + INSTANCE_ID, allowed);
            List<ReceivedRequest> atImds = metadataRequestsTo(INSTANCE_ID_PATH);
            assertEquals(1, atImds.size(), "the blocked request never reached IMDS");
            assertTrue(atImds.get(0).hasToken());
        }
    }

    @Test
    void enforceBlocksADisallowedPath() throws Exception {
        try (ChildJvm app = policyApp(agentArgs("mode=enforce", "upgrade.paths=/latest/meta-data/placement/"))) {
            assertEquals("200 us-east-1", ask(app, "untrusted " + url(REGION_PATH)));
            String blocked = ask(app, "untrusted " + url(INSTANCE_ID_PATH));
            assertTrue(blocked.startsWith("ERROR") && blocked.contains("is not in imdsv2.upgrade.paths"), blocked);
            assertEquals(0, metadataRequestsTo(INSTANCE_ID_PATH).size(), "the blocked request never reached IMDS");
        }
    }

    @Test
    void enforceFailsFastWhenNoTokenCanBeHad() throws Exception {
        imds.tokenPutAnswers(405); // an IMDS that does not hand out tokens
        try (ChildJvm app = policyApp(agentArgs("mode=enforce"))) {
            String first = ask(app, "untrusted " + url(INSTANCE_ID_PATH));
            String second = ask(app, "untrusted " + url(INSTANCE_ID_PATH));
            assertTrue(first.startsWith("ERROR") && first.contains("no token") && first.contains("http_405"), first);
            assertTrue(second.startsWith("ERROR") && second.contains("no token"), second);
            assertEquals(0, imds.metadataRequests().size(), "nothing tokenless reached IMDS");
            assertEquals(1, imds.tokenPutCount(), "one PUT, then token.retry-after");
        }
    }

    @Test
    void switchingTheModeOverJmxChangesTheNextRequest() throws Exception {
        try (ChildJvm app = policyApp(agentArgs("upgrade.paths=/latest/meta-data/"))) {
            assertEquals("200 " + INSTANCE_ID, ask(app, "untrusted " + url(INSTANCE_ID_PATH)), "upgrade");
            try (AgentJmx jmx = AgentJmx.connect(app.pid())) {
                assertEquals("upgrade", jmx.get("Mode"));

                jmx.set("Mode", "observe");
                assertTrue(ask(app, "untrusted " + url(INSTANCE_ID_PATH)).startsWith("401"), "observe: sent as it was");

                jmx.set("Mode", "enforce");
                assertEquals("enforce", jmx.get("Mode"));
                String userData = ask(app, "untrusted " + url("/latest/user-data"));
                assertTrue(userData.startsWith("ERROR") && userData.contains("mode=enforce"), "enforce blocks the disallowed path: " + userData);
                assertEquals("200 " + INSTANCE_ID, ask(app, "untrusted " + url(INSTANCE_ID_PATH)), "and upgrades the allowed one");
            }
            List<ReceivedRequest> atImds = metadataRequestsTo(INSTANCE_ID_PATH);
            assertEquals(3, atImds.size());
            assertTrue(atImds.get(0).hasToken());
            assertFalse(atImds.get(1).hasToken(), "the request after the switch to observe went out untouched");
            assertTrue(atImds.get(2).hasToken());
            assertEquals(0, metadataRequestsTo("/latest/user-data").size(), "the blocked request never reached IMDS");
        }
    }
}
