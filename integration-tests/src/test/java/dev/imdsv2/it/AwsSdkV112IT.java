package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.AwsSdkV1Client;
import dev.imdsv2.simulator.ReceivedRequest;

/** The AWS SDK for Java v1 1.12.x speaks IMDSv2 itself: the agent leaves it alone and only counts it. */
class AwsSdkV112IT extends SimulatorTest {

    /**
     * The SDK gives its token PUT about a second and then falls back to IMDSv1; a simulator that has not
     * answered anything yet in this JVM can be slower than that on a busy machine, so it answers once first.
     */
    @BeforeEach
    void warmUpTheSimulator() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        client.send(HttpRequest.newBuilder(URI.create(url("/latest/api/token")))
                .PUT(HttpRequest.BodyPublishers.noBody()).header("X-aws-ec2-metadata-token-ttl-seconds", "60").build(),
                HttpResponse.BodyHandlers.discarding());
        imds.resetJournal();
    }

    @Test
    void theSdksOwnTokensAreUsedAndCountedAsV2() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs())
                .replacingLibraries("aws-sdk-1.12")
                .jvm("-Dcom.amazonaws.sdk.ec2MetadataServiceEndpointOverride=" + imds.baseUrl(),
                        "-Daws.java.v1.disableDeprecationAnnouncement=true")
                .main(AwsSdkV1Client.class, "counts")
                .run();

        List<String> results = app.results("RESULT");
        assertEquals("instance-id " + INSTANCE_ID, results.get(0), app.transcript());
        assertTrue(results.get(1).startsWith("credentials ASIA"), app.transcript());
        List<ReceivedRequest> puts = imds.received().stream().filter(r -> r.method().equals("PUT")).toList();
        assertTrue(!puts.isEmpty() && puts.stream().allMatch(p -> p.header("User-Agent").startsWith("aws-sdk-java/1.12.")),
                "only the SDK's own token PUTs, none from the agent: " + puts);
        assertTrue(imds.metadataRequests().stream().allMatch(r -> r.hasToken() && imds.issuedTokens().contains(r.token())),
                "every GET carried the SDK's token: " + imds.metadataRequests());
        List<String> counts = app.results("COUNT");
        assertTrue(!counts.isEmpty() && counts.stream().allMatch(c -> c.contains(",version=v2,action=passed,")), app.transcript());
        assertTrue(app.stderr().stream().noneMatch(l -> l.contains("IMDSv1 call site")), app.transcript());
    }
}
