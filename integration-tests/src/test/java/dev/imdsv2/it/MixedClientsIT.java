package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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

        // java.net.http is there from Java 11 on
        boolean jdkHttpClient = ChildJvm.javaFeatureVersion() >= 11;
        List<String> clients = new ArrayList<>(List.of("urlconnection", "jdk-httpclient", "okhttp", "apache4", "apache4-async", "apache5", "apache5-async"));
        if (!jdkHttpClient) {
            clients.remove("jdk-httpclient");
        }
        assertEquals(clients.stream().map(c -> c + " 200 " + INSTANCE_ID).toList(), jvm.results("RESULT"), jvm.transcript());
        assertEquals(1, imds.tokenPutCount(), "one PUT for all the clients");
        List<ReceivedRequest> gets = metadataRequestsTo(INSTANCE_ID_PATH);
        assertEquals(clients.size(), gets.size());
        assertTrue(gets.stream().allMatch(r -> imds.issuedTokens().iterator().next().equals(r.token())), "all with the one token");
        String start = jvm.stderr().stream().filter(l -> l.contains(" started: ")).findFirst().orElseThrow();
        assertTrue(start.contains("clients=urlconnection," + (jdkHttpClient ? "jdk-httpclient," : "") + "okhttp,apache-httpclient-4,apache-httpclient-5,"),
                start);
        assertTrue(start.endsWith(",socket"), start);
        List<String> counts = new ArrayList<>(List.of("client=apache-httpclient-4,version=v1,action=upgraded,category=other-meta-data 2",
                "client=apache-httpclient-5,version=v1,action=upgraded,category=other-meta-data 2",
                "client=jdk-httpclient,version=v1,action=upgraded,category=other-meta-data 1",
                "client=okhttp,version=v1,action=upgraded,category=other-meta-data 1",
                "client=urlconnection,version=v1,action=upgraded,category=other-meta-data 1"));
        if (!jdkHttpClient) {
            counts.remove("client=jdk-httpclient,version=v1,action=upgraded,category=other-meta-data 1");
        }
        assertEquals(counts,
                jvm.results("COUNT").stream().sorted().toList(), "each request counted once, none under unknown\n" + jvm.transcript());
    }
}
