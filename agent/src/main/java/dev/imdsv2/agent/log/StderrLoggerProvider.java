package dev.imdsv2.agent.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The agent's own SLF4J binding (relocated with SLF4J, so the application's logging never sees it):
 * every agent log line goes to stderr behind the {@code [imdsv2-agent]} prefix, filtered by
 * {@code imdsv2.log.level}. Found by SLF4J through {@code META-INF/services}.
 */
public final class StderrLoggerProvider implements SLF4JServiceProvider {
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private final ILoggerFactory loggers = new ILoggerFactory() {
        @Override
        public Logger getLogger(String name) {
            return StderrLogger.INSTANCE;
        }
    };

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up: the logger writes straight to stderr
    }
}
