package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.AwsSdkV1Client;
import dev.imdsv2.simulator.ReceivedRequest;

/** The first real legacy caller: the AWS SDK for Java v1 1.11.500, which only knows IMDSv1. */
class AwsSdkV1IT extends SimulatorTest {

    private ChildJvm.Spec sdkApp(ChildJvm.Spec spec) {
        return spec.replacingLibraries("aws-sdk-1.11").jvm("-Dcom.amazonaws.sdk.ec2MetadataServiceEndpointOverride=" + imds.baseUrl())
                .main(AwsSdkV1Client.class);
    }

    @Test
    void instanceIdAndInstanceProfileCredentialsWorkWithTheAgent() throws Exception {
        ChildJvm app = sdkApp(ChildJvm.withAgent(agentArgs())).run();

        List<String> results = app.results("RESULT");
        assertEquals(2, results.size(), app.transcript());
        assertEquals("instance-id " + INSTANCE_ID, results.get(0), app.transcript());
        assertTrue(results.get(1).startsWith("credentials ASIA"), app.transcript());
        assertTrue(imds.metadataRequests().stream().allMatch(ReceivedRequest::hasToken));
        assertEquals(1, imds.tokenPutCount());
        assertTrue(app.stderr().stream().anyMatch(l -> l.contains("IMDSv1 call site com.amazonaws.")),
                "the call site named is the SDK's own class\n" + app.transcript());
    }

    @Test
    void instanceIdAndCredentialsFailWithoutTheAgent() throws Exception {
        ChildJvm app = sdkApp(ChildJvm.withoutAgent()).run();

        List<String> results = app.results("RESULT");
        assertEquals(2, results.size(), app.transcript());
        assertTrue(results.get(0).equals("instance-id null") || results.get(0).contains("ERROR"), app.transcript());
        assertTrue(results.get(1).startsWith("credentials ERROR"), app.transcript());
        assertEquals(0, imds.tokenPutCount());
    }
}
