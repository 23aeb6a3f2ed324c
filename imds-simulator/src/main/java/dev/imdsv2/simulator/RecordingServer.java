package dev.imdsv2.simulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.List;

/**
 * A plain HTTP server on loopback that records what it receives: "some other host" in tests,
 * e.g. the target of a redirect away from IMDS, or a forward proxy between a client and IMDS.
 */
public final class RecordingServer implements AutoCloseable {
    private final WireMockServer server;
    private final Journal journal = new Journal();

    private RecordingServer(boolean forwardProxy) {
        server = new WireMockServer(Servers.options("127.0.0.1", 0)
                .enableBrowserProxying(forwardProxy)
                .preserveUserAgentProxyHeader(true) // a forward proxy passes the client's User-Agent on
                .extensions(journal));
    }

    /** On 127.0.0.1, a free port; answers 200 "ok" to anything. */
    public static RecordingServer start() {
        RecordingServer recording = new RecordingServer(false);
        recording.server.start();
        recording.server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200).withBody("ok")));
        return recording;
    }

    /**
     * An HTTP forward proxy: requests with an absolute URL are recorded and forwarded to their
     * target (WireMock browser proxying forwards every request that matches no stub).
     */
    public static RecordingServer startForwardProxy() {
        RecordingServer recording = new RecordingServer(true);
        recording.server.start();
        return recording;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.port();
    }

    /** Requests for this exact path (any method) answer {@code status} with this Location. */
    public void redirect(String path, String location, int status) {
        server.stubFor(any(urlPathEqualTo(path))
                .atPriority(1)
                .willReturn(aResponse().withStatus(status).withHeader("Location", location)));
    }

    /**
     * Every request, in arrival order, with all its headers. For a forward proxy the path is that of
     * the absolute URL, and {@code header("Host")} names the target.
     */
    public List<ReceivedRequest> received() {
        return journal.received();
    }

    @Override
    public void close() {
        server.stop();
    }
}
