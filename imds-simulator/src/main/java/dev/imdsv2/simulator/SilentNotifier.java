package dev.imdsv2.simulator;

import com.github.tomakehurst.wiremock.common.Notifier;

/**
 * Swallows WireMock's console output. Faults such as a never-answered PUT make Jetty complain about
 * broken connections, which is expected here and would only clutter test and demo output.
 */
final class SilentNotifier implements Notifier {
    @Override
    public void info(String message) {}

    @Override
    public void error(String message) {}

    @Override
    public void error(String message, Throwable t) {}
}
