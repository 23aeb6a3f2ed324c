package dev.imdsv2.simulator;

import com.github.tomakehurst.wiremock.core.Options;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/** The WireMock options both servers share: quiet, plain HTTP/1.1 like IMDS, no journal of its own. */
final class Servers {
    private Servers() {}

    static WireMockConfiguration options(String host, int port) {
        WireMockConfiguration options = WireMockConfiguration.options()
                .bindAddress(host)
                .notifier(new SilentNotifier())
                .disableRequestJournal() // the Journal extension records instead
                .extensionScanningEnabled(false)
                .http2PlainDisabled(true) // IMDS speaks HTTP/1.1; no h2c upgrade for java.net.http clients
                .gzipDisabled(true) // IMDS never compresses
                .useChunkedTransferEncoding(Options.ChunkedEncodingPolicy.NEVER) // IMDS sends Content-Length
                .containerThreads(100) // never-answered PUTs each hold a thread until reset or close
                .jettyStopTimeout(500L);
        return port == 0 ? options.dynamicPort() : options.port(port);
    }
}
