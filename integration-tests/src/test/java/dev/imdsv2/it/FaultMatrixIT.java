package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import dev.imdsv2.it.apps.FaultProbe;
import dev.imdsv2.simulator.ImdsSimulator;
import dev.imdsv2.simulator.RecordingServer;

/**
 * IMDS faults, one row each ({@link #FAULTS}): with tokens optional, every request through every client gets the same answer
 * with the agent as without it; the agent adds at most one {@code token.timeout} to the first request and
 * nothing to the rest while {@code token.retry-after} holds; and once IMDS is well again, the agent upgrades
 * within one {@code token.retry-after}. The latencies, with and without the agent, go to
 * {@code target/reliability/faults-java<N>.txt} (README, "Reliability").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultMatrixIT {
    static final int TOKEN_TIMEOUT_MS = 500;
    static final int RETRY_AFTER_S = 2;
    /** Scheduling noise on a busy 2-core machine, not behaviour. */
    static final int MARGIN_MS = 1000;
    /** "Did not wait for a PUT": well under the token timeout. */
    static final int NO_WAIT_MS = 400;
    static final String PATH = "/latest/meta-data/instance-id";

    /**
     * One row of the matrix.
     *
     * @param play       makes the simulator misbehave; null: no IMDS at all (a closed port)
     * @param perClient  GETs per client while the fault lasts (fewer when each takes long, so that all of
     *                   them fall inside one {@code token.retry-after})
     */
    record Fault(String name, Consumer<ImdsSimulator> play, int perClient) {
    }

    static final List<Fault> FAULTS = List.of(
            new Fault("IMDS unreachable (connection refused)", null, 2),
            new Fault("token PUT never answered (hop limit 1)", ImdsSimulator::tokenPutNeverAnswered, 2),
            new Fault("token PUT answered 403", imds -> imds.tokenPutAnswers(403), 2),
            new Fault("token PUT answered 404", imds -> imds.tokenPutAnswers(404), 2),
            new Fault("token PUT answered 405", imds -> imds.tokenPutAnswers(405), 2),
            new Fault("token PUT answered 500", imds -> imds.tokenPutAnswers(500), 2),
            new Fault("token PUT answered 503", imds -> imds.tokenPutAnswers(503), 2),
            new Fault("every answer 700 ms, slower than token.timeout",
                    imds -> imds.slowResponses(Duration.ofMillis(TOKEN_TIMEOUT_MS + 200)), 1));

    /**
     * Every fault gets its own IMDS endpoint (the agent keeps one token, and one retry-after, per endpoint), so
     * one JVM with the agent and one without play the whole matrix, and the recovery waits only once.
     */
    private final List<Integer> ports = new ArrayList<>();
    private final List<ImdsSimulator> simulators = new ArrayList<>(); // null for the unreachable IMDS, until it recovers
    private ImdsSimulator expiring;
    private RecordingServer warmUpTarget;
    private ChildJvm withAgent;
    private ChildJvm withoutAgent;
    private List<String> clients;
    private final List<String> matrixReport = new ArrayList<>();
    private final List<String> expiryReport = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        for (Fault fault : FAULTS) {
            simulators.add(fault.play() == null ? null : warmedUp(ImdsSimulator.start(false)));
        }
        expiring = warmedUp(ImdsSimulator.start(false));
        warmUpTarget = RecordingServer.start();
        // The closed port is picked once every server of this test listens: picked first, it was once handed to a
        // simulator started after it, and "IMDS unreachable" answered.
        List<String> endpoints = new ArrayList<>();
        for (ImdsSimulator imds : simulators) {
            ports.add(imds == null ? freePort() : imds.port());
            endpoints.add("http://127.0.0.1:" + ports.get(ports.size() - 1));
        }
        endpoints.add(expiring.baseUrl());
        withAgent = ChildJvm.withAgent("endpoints=" + String.join(";", endpoints) + ",token.timeout=" + TOKEN_TIMEOUT_MS
                + ",token.retry-after=" + RETRY_AFTER_S).main(FaultProbe.class).start();
        withoutAgent = ChildJvm.withoutAgent().main(FaultProbe.class).start();
        for (ChildJvm jvm : List.of(withAgent, withoutAgent)) {
            clients = List.of(jvm.awaitLine("READY ").substring("READY ".length()).split(","));
            probe(jvm, warmUpTarget.baseUrl() + "/warm-up", 2, null); // client classes and pools, not the agent's work
        }
        matrixReport.add(String.format("%-48s | %-15s | %-22s | %-22s | %s", "fault (token.timeout=" + TOKEN_TIMEOUT_MS
                + " ms, retry-after=" + RETRY_AFTER_S + " s)", "answers", "without agent, ms", "with agent, ms", "after"));
    }

    @AfterAll
    void stop() throws IOException {
        for (AutoCloseable closeable : new AutoCloseable[] {withAgent, withoutAgent, warmUpTarget, expiring}) {
            close(closeable);
        }
        simulators.forEach(FaultMatrixIT::close);
        List<String> report = new ArrayList<>(matrixReport);
        report.addAll(expiryReport);
        ReliabilityReport.write("faults", report);
    }

    @Test
    void nothingFailsThatWouldNotFailWithoutTheAgentAndItRecoversWithinOneRetryAfter() throws Exception {
        List<Executable> checks = new ArrayList<>();
        List<List<Timed>> withFault = new ArrayList<>();
        for (int row = 0; row < FAULTS.size(); row++) {
            Fault fault = FAULTS.get(row);
            ImdsSimulator imds = simulators.get(row);
            String url = "http://127.0.0.1:" + ports.get(row) + PATH;
            if (imds != null) {
                fault.play().accept(imds);
            }
            List<Timed> baseline = probe(withoutAgent, url, fault.perClient(), null);
            List<Timed> agent = probe(withAgent, url, fault.perClient(), null);
            withFault.add(agent);
            checks.add(() -> {
                // The same answers as without the agent, request by request.
                assertEquals(statuses(baseline), statuses(agent), fault.name() + ": answers without / with the agent");
                // The first request may wait for the token PUT, bounded by token.timeout; the rest do not wait at all.
                for (int i = 0; i < agent.size(); i++) {
                    long added = agent.get(i).millis - baseline.get(i).millis;
                    long bound = i == 0 ? TOKEN_TIMEOUT_MS + MARGIN_MS : NO_WAIT_MS;
                    assertTrue(added <= bound, fault.name() + ": request " + i + " (" + agent.get(i).client + ") took "
                            + added + " ms more than without the agent");
                }
                if (imds != null) {
                    assertEquals(1, imds.tokenPutCount(), fault.name() + ": one PUT, then none inside token.retry-after");
                    assertTrue(imds.metadataRequests().stream().noneMatch(r -> r.hasToken()), fault.name() + ": no token, nothing upgraded");
                }
            });
            matrixReport.add(String.format("%-48s | %-15s | %-22s | %-22s |", fault.name(),
                    String.join(",", new TreeSet<>(statuses(agent))) + " = without", millis(baseline), millis(agent)));
        }
        assertAll(checks);
        // HttpURLConnection is upgraded as its request is written, after the connect: against an unreachable IMDS it
        // never gets that far, so no PUT is tried. The JDK HttpClient (Java 11+) is decided before it connects.
        int failedPuts = clients.contains("jdk-httpclient") ? FAULTS.size() : FAULTS.size() - 1;
        assertTrue(withAgent.stderr().stream().filter(l -> l.contains("token PUT to") && l.contains("failed")).count()
                >= failedPuts, "one warning per failed PUT\n" + withAgent.transcript());

        // IMDS recovers: within one token.retry-after the agent upgrades again, with one new PUT.
        for (int row = 0; row < FAULTS.size(); row++) {
            if (simulators.get(row) == null) {
                simulators.set(row, warmedUp(ImdsSimulator.start("127.0.0.1", ports.get(row), false)));
            } else {
                simulators.get(row).resetFaults();
                simulators.get(row).resetJournal();
            }
        }
        Thread.sleep(RETRY_AFTER_S * 1000L + 100);
        checks.clear();
        for (int row = 0; row < FAULTS.size(); row++) {
            Fault fault = FAULTS.get(row);
            ImdsSimulator imds = simulators.get(row);
            List<Timed> after = probe(withAgent, "http://127.0.0.1:" + ports.get(row) + PATH, 1, null);
            checks.add(() -> {
                assertEquals(Collections.nCopies(after.size(), "200"), statuses(after), fault.name() + ": after recovery");
                assertEquals(after.size(), imds.metadataRequests().stream().filter(r -> r.hasToken()).count(),
                        fault.name() + ": upgraded again after IMDS recovered");
                assertEquals(1, imds.tokenPutCount(), fault.name() + ": one new PUT after the recovery");
            });
            matrixReport.set(row + 1, matrixReport.get(row + 1) + " upgraded " + RETRY_AFTER_S + " s after IMDS recovered");
        }
        assertAll(checks);
    }

    /**
     * Tokens expired under the agent's feet (IMDS restarted, or a 401 to an upgraded request): each client re-sends
     * the request once with a new token, so the application never sees that 401.
     */
    @Test
    void tokensExpiredInTheMiddleOfARun() throws Exception {
        String url = expiring.baseUrl() + PATH;
        List<Timed> before = probe(withAgent, url, 1, null);
        assertEquals(Collections.nCopies(clients.size(), "200"), statuses(before), withAgent.transcript());

        for (String client : clients) {
            expiring.expireAllTokens();
            List<Timed> baseline = probe(withoutAgent, url, 2, client);
            List<Timed> agent = probe(withAgent, url, 2, client);
            assertEquals(List.of("200", "200"), statuses(baseline));
            assertEquals(List.of("200", "200"), statuses(agent), client + ": re-sent once with a new token\n" + withAgent.transcript());
            assertTrue(agent.get(0).millis - baseline.get(0).millis <= TOKEN_TIMEOUT_MS + MARGIN_MS, withAgent.transcript());
            assertTrue(agent.get(1).millis - baseline.get(1).millis <= NO_WAIT_MS, withAgent.transcript());
            expiryReport.add(String.format("%-48s | %-15s | %-22s | %-22s | %s", "tokens expired mid-run, " + client,
                    String.join(",", statuses(agent)), millis(baseline), millis(agent), "re-sent, upgraded"));
        }
        assertEquals(1 + clients.size(), expiring.tokenPutCount(), "the first token, and one new PUT after each expiry");
    }

    record Timed(String client, long millis, String status) {
    }

    /** N GETs per client (or only {@code client}) in the child; its timings and the status part of each answer. */
    private static List<Timed> probe(ChildJvm jvm, String url, int perClient, String client) throws Exception {
        jvm.send("probe " + url + " " + perClient + (client == null ? "" : " " + client));
        List<Timed> timed = new ArrayList<>();
        while (true) {
            String line = jvm.awaitLine("");
            if (line.equals("DONE")) {
                return timed;
            }
            if (line.startsWith("TIMED ")) {
                String[] parts = line.split(" ", 5);
                timed.add(new Timed(parts[1], Long.parseLong(parts[2]), parts[3]));
            }
        }
    }

    private static String millis(List<Timed> timed) {
        return timed.stream().map(t -> Long.toString(t.millis)).collect(Collectors.joining(" "));
    }

    /** The simulator has answered one PUT and one GET, so the PUTs that count are not its very first (cold) ones. */
    private static ImdsSimulator warmedUp(ImdsSimulator imds) throws IOException {
        HttpURLConnection put = (HttpURLConnection) new URL(imds.baseUrl() + "/latest/api/token").openConnection();
        put.setRequestMethod("PUT");
        put.setRequestProperty("X-aws-ec2-metadata-token-ttl-seconds", "60");
        put.getInputStream().readAllBytes();
        HttpURLConnection get = (HttpURLConnection) new URL(imds.baseUrl() + PATH).openConnection();
        get.getInputStream().readAllBytes();
        imds.resetJournal();
        return imds;
    }

    private static List<String> statuses(List<Timed> timed) {
        return timed.stream().map(Timed::status).toList();
    }

    private static void close(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
