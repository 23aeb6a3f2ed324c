package dev.imdsv2.it;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.imdsv2.simulator.ImdsSimulator;
import dev.imdsv2.simulator.ReceivedRequest;

/** Each test gets a fresh IMDS simulator on loopback, with tokens required, and the agent pointed at it. */
abstract class SimulatorTest {
    static final String INSTANCE_ID = "i-0b22a22eec53b9321";
    static final String INSTANCE_ID_PATH = "/latest/meta-data/instance-id";

    ImdsSimulator imds;

    @BeforeEach
    void startSimulator() {
        imds = ImdsSimulator.start(true);
    }

    @AfterEach
    void stopSimulator() {
        imds.close();
    }

    /**
     * Agent arguments that point the agent at this test's simulator, plus any extra {@code key=value} (later
     * keys win). The token timeout is raised from 1 s: a cold simulator on a busy 2-core CI machine can take
     * longer than that to answer its first PUT, and these tests are about behaviour, not IMDS's latency.
     */
    String agentArgs(String... extra) {
        StringBuilder args = new StringBuilder("endpoints=" + imds.baseUrl() + ",token.timeout=5000");
        for (String e : extra) {
            args.append(',').append(e);
        }
        return args.toString();
    }

    String url(String path) {
        return imds.baseUrl() + path;
    }

    List<ReceivedRequest> metadataRequestsTo(String path) {
        return imds.metadataRequests().stream().filter(r -> r.path().equals(path)).collect(Collectors.toList());
    }
}
