package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.MixedClientsApp;
import dev.imdsv2.simulator.ReceivedRequest;

/** Every client in one JVM shares one token, and each request is counted once, under its client, with the socket catch-all on. */
class MixedClientsIT extends SimulatorTest {

    @Test
    void everyClientInOneJvmSharesOneToken() throws Exception {
        // A cold simulator in a busy test JVM can take over a second for its first PUT: not what is tested here.
        ChildJvm jvm = ChildJvm.withAgent(agentArgs("token.timeout=5000"))
                .libraries("okhttp-newest", "apache4-newest", "apache5-newest")
                .main(MixedClientsApp.class, url(INSTANCE_ID_PATH))
                .run();

        assertEquals(List.of("urlconnection 200 " + INSTANCE_ID, "jdk-httpclient 200 " + INSTANCE_ID, "okhttp 200 " + INSTANCE_ID, "apache4 200 " + INSTANCE_ID,
                        "apache4-async 200 " + INSTANCE_ID, "apache5 200 " + INSTANCE_ID, "apache5-async 200 " + INSTANCE_ID),
                jvm.results("RESULT"), jvm.transcript());
        assertEquals(1, imds.tokenPutCount(), "one PUT for all the clients");
        List<ReceivedRequest> gets = metadataRequestsTo(INSTANCE_ID_PATH);
        assertEquals(7, gets.size());
        assertTrue(gets.stream().allMatch(r -> imds.issuedTokens().iterator().next().equals(r.token())), "all with the one token");
        String start = jvm.stderr().stream().filter(l -> l.contains(" started: ")).findFirst().orElseThrow();
        assertTrue(start.contains("clients=urlconnection,jdk-httpclient,okhttp,apache-httpclient-4,apache-httpclient-5,"), start);
        assertTrue(start.endsWith(",socket"), start);
        assertEquals(List.of("client=apache-httpclient-4,version=v1,action=upgraded,category=other-meta-data 2",
                        "client=apache-httpclient-5,version=v1,action=upgraded,category=other-meta-data 2",
                        "client=jdk-httpclient,version=v1,action=upgraded,category=other-meta-data 1",
                        "client=okhttp,version=v1,action=upgraded,category=other-meta-data 1",
                        "client=urlconnection,version=v1,action=upgraded,category=other-meta-data 1"),
                jvm.results("COUNT").stream().sorted().toList(), "each request counted once, none under unknown\n" + jvm.transcript());
    }
}
