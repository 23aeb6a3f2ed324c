package dev.imdsv2.agent.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.report.AgentState;

/**
 * {@code imdsv2.metrics.prometheus.port}: the agent's meters in the Prometheus text format at
 * {@code http://HOST:PORT/metrics}, from the agent's own (relocated) Micrometer Prometheus registry and the JDK's
 * HTTP server. Nothing of this exists, no class loaded and no thread started, unless the port is set.
 */
public final class PrometheusEndpoint {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusEndpoint() {
    }

    /**
     * Binds the endpoint's port now, so that the URL (with the real port when 0 asked for any free one) is known to
     * the start line and published, and serves it from a daemon thread: the Micrometer registry is built there, off
     * {@code premain}'s path, and the JDK server's dispatcher thread inherits that thread's daemon status, so the
     * endpoint never keeps the application's JVM alive. Returns the URL, or null when the port cannot be bound
     * (said in one WARN: another JVM on the host has it, say; {@code imdsv2.metrics.textfile.dir} serves many).
     */
    public static String start(final AgentState runtime, String host, int port) {
        final HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (Throwable t) {
            AgentLog.warn("metrics_endpoint").log("the Prometheus endpoint on {}:{} could not start; metrics are not served ({})",
                    host, port, String.valueOf(t));
            return null;
        }
        final String url = "http://" + host + ":" + server.getAddress().getPort() + "/metrics";
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    serve(runtime, server);
                    AgentLog.info("metrics_endpoint").with("url", url).log("Prometheus metrics at {}", url);
                } catch (Throwable t) {
                    server.stop(0);
                    AgentLog.warn("metrics_endpoint").log("the Prometheus endpoint at {} could not start; metrics are not served ({})",
                            url, String.valueOf(t));
                }
            }
        }, "imdsv2-agent-metrics-start");
        thread.setDaemon(true);
        thread.start();
        return url;
    }

    static void serve(AgentState runtime, HttpServer server) throws ReflectiveOperationException {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Written plainly, the shade plugin relocates this name along with the classes: the agent's own copy.
        new MeterBinder(registry, "the agent's Prometheus registry", MeterRegistry.class.getPackage().getName())
                .bind(runtime);
        server.createContext("/metrics", new HttpHandler() {
            @Override
            public void handle(HttpExchange exchange) throws IOException {
                try {
                    serve(exchange, registry);
                } finally {
                    exchange.close();
                }
            }
        });
        server.setExecutor(singleDaemonThread());
        server.start();
    }

    private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        String method = exchange.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        if ("HEAD".equals(method)) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        out.write(body);
        out.close();
    }

    private static ExecutorService singleDaemonThread() {
        return Executors.newSingleThreadExecutor(new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "imdsv2-agent-prometheus");
                thread.setDaemon(true);
                return thread;
            }
        });
    }
}
