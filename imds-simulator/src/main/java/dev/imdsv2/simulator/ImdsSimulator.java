package dev.imdsv2.simulator;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An EC2 instance metadata service (IMDS) on a loopback port, with the faults a real one shows.
 * The protocol is IMDSv2's: README.md, "What it does to a request". Thread-safe; every setting can change while clients run.
 */
public final class ImdsSimulator implements AutoCloseable {
    private final Behaviour behaviour;
    private final TokenStore tokens;
    private final Journal journal;
    private final TokenPutCounter tokenPuts;
    private final WireMockServer server;
    private final String host;

    private ImdsSimulator(String host, int port, boolean tokensRequired) {
        this.host = host;
        this.behaviour = new Behaviour();
        this.behaviour.tokensRequired = tokensRequired;
        this.tokens = new TokenStore();
        this.journal = new Journal();
        this.tokenPuts = new TokenPutCounter();
        this.server = new WireMockServer(
                Servers.options(host, port).extensions(
                        journal, new ImdsResponder(behaviour, tokens, tokenPuts), new WireMockHeaderStripper()));
    }

    /** On 127.0.0.1, a free port, tokens optional. */
    public static ImdsSimulator start() {
        return start(false);
    }

    public static ImdsSimulator start(boolean tokensRequired) {
        return start("127.0.0.1", 0, tokensRequired);
    }

    /** @param port 0 for a free port */
    public static ImdsSimulator start(String host, int port, boolean tokensRequired) {
        ImdsSimulator simulator = new ImdsSimulator(Objects.requireNonNull(host), port, tokensRequired);
        simulator.server.start();
        // One stub that matches everything; ImdsResponder, applied globally, decides each answer.
        simulator.server.stubFor(any(anyUrl()).willReturn(ok()));
        return simulator;
    }

    public String baseUrl() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public int port() {
        return server.port();
    }

    /** {@code HttpTokens=required} (true) or {@code optional} (false). */
    public void requireTokens(boolean required) {
        behaviour.tokensRequired = required;
    }

    /**
     * Tokens live at most this long, whatever TTL was asked for (1..21600 is still enforced);
     * the TTL header of the answer then says what was granted. For demos of token renewal.
     */
    public void tokenLifetimeCap(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("token lifetime cap must be at least 1 s: " + seconds);
        }
        behaviour.tokenLifetimeCapSeconds = seconds;
    }

    /**
     * Token PUTs are received but never answered, like IMDS behind a hop limit of 1 in a container.
     * A hung request is released (its connection reset) by {@link #resetFaults()} or {@link #close()}.
     */
    public void tokenPutNeverAnswered() {
        behaviour.tokenPutNeverAnswered = true;
    }

    /**
     * Token PUTs still issue tokens, but every request that carries one gets 401, whatever the token mode: an
     * emulator or proxy that speaks only IMDSv1. With tokens optional, tokenless requests still succeed.
     */
    public void rejectEveryToken() {
        behaviour.rejectEveryToken = true;
    }

    /** Token PUTs are received and their connection reset at once, with no answer. */
    public void tokenPutDropped() {
        behaviour.tokenPutDropped = true;
    }

    /** Token PUTs are answered with this status and an empty body (403/404/405: IMDS without tokens; 5xx). */
    public void tokenPutAnswers(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        behaviour.tokenPutStatus = status;
    }

    /** Every response, token PUT or metadata, waits this long before it is written. */
    public void slowResponses(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        behaviour.delay = delay;
    }

    /** Every token issued so far is now expired (401); new PUTs get working tokens. */
    public void expireAllTokens() {
        tokens.expireAll();
    }

    /** GET/HEAD of this exact path (after the token check) answer {@code status} with this Location. */
    public void redirect(String path, String location, int status) {
        behaviour.redirects.put(path, new Behaviour.Redirect(location, status));
    }

    /** Back to normal behaviour: no faults, no redirects. The token mode and issued tokens stay. */
    public void resetFaults() {
        behaviour.resetFaults();
    }

    /** Forgets every request received so far (and so the counts). */
    public void resetJournal() {
        journal.reset();
        tokenPuts.reset();
    }

    /** Stops recording requests (the stand-alone program has no reader for them). */
    void stopRecording() {
        journal.stopRecording();
    }

    /**
     * Token PUTs received, whatever became of them (including never-answered and refused ones); counted
     * apart from the journal, so also past its bound and in the stand-alone program.
     */
    public int tokenPutCount() {
        return (int) tokenPuts.received();
    }

    /**
     * The most token PUTs the simulator was answering at the same time (since start or {@link #resetJournal()}):
     * 1 for a client that never has more than one PUT in flight. A PUT the client gave up on (never answered,
     * slower than its timeout) stays in flight here until it is answered or released by {@link #resetFaults()}.
     */
    public int maxConcurrentTokenPuts() {
        return tokenPuts.maxInFlight();
    }

    /** Every request received, in arrival order (the latest 50,000). */
    public List<ReceivedRequest> received() {
        return journal.received();
    }

    /** Every request received that is not a token PUT, in arrival order. */
    public List<ReceivedRequest> metadataRequests() {
        return received().stream().filter(r -> !isTokenPut(r)).collect(Collectors.toUnmodifiableList());
    }

    /** Every token value issued so far, in issue order; tests search logs for them. */
    public Set<String> issuedTokens() {
        return tokens.issued();
    }

    /** Stops the server; hung and delayed requests are released first, so this returns promptly. */
    @Override
    public void close() {
        behaviour.close();
        server.stop();
    }

    private static boolean isTokenPut(ReceivedRequest request) {
        return ImdsResponder.isTokenPut(request.method(), request.path());
    }
}
