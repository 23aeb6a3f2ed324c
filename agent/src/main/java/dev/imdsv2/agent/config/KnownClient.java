package dev.imdsv2.agent.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The one list of the clients the agent knows, each with what every part of the agent needs of it: its name (the
 * {@code client} tag and {@code imdsv2.instrumentation.<name>.enabled}), the class of its instrumentation when
 * that is a third-party client's folder, the stack frames that mark its connects (for the socket catch-all), and
 * the packages that are its machinery when the caller of a request is looked for. The order is the start line's.
 * Adding a client is its folder, one row here and its row in the README's Clients table (docs/ARCHITECTURE.md,
 * "Adding a client").
 *
 * <p>It lives in {@code config}, the package every other depends on, so that the configuration, the report and
 * the socket catch-all read it without depending on the clients; a row names its instrumentation by class name.
 */
public enum KnownClient {
    URLCONNECTION("urlconnection", null,
            frames("sun.net.www.protocol.http.HttpURLConnection"), packages()),
    JDK_HTTPCLIENT("jdk-httpclient", null,
            frames("jdk.internal.net.http."), packages()),
    OKHTTP("okhttp", "dev.imdsv2.agent.okhttp.OkHttpInstrumentation",
            frames("okhttp3."), packages("okhttp3.", "okio.", "kotlin.", "kotlinx.coroutines.")),
    // The async clients connect on their I/O reactor thread, where only the reactor's frames show.
    APACHE_HTTPCLIENT_4("apache-httpclient-4", "dev.imdsv2.agent.apache4.Apache4Instrumentation",
            frames("org.apache.http.conn.", "org.apache.http.impl.conn.",
                    "org.apache.http.impl.nio.reactor.DefaultConnectingIOReactor"),
            packages("org.apache.http.")),
    APACHE_HTTPCLIENT_5("apache-httpclient-5", "dev.imdsv2.agent.apache5.Apache5Instrumentation",
            frames("org.apache.hc.client5.", "org.apache.hc.core5.reactor.SingleCoreIOReactor#processConnectionRequest"),
            packages("org.apache.hc.")),
    // Netty-based clients may connect on an event-loop thread, whose stack shows only Netty's frames, and their
    // projects have servers too; every Netty client channel connects in NioSocketChannel.doConnect, which no server
    // thread runs. (Netty's native transports never reach a JDK socket class.)
    REACTOR_NETTY("reactor-netty", "dev.imdsv2.agent.reactornetty.ReactorNettyInstrumentation",
            frames(Frames.NETTY_CLIENT_CONNECT), packages("reactor.netty.", "reactor.core.", "io.netty.")),
    ASYNC_HTTP_CLIENT("async-http-client", "dev.imdsv2.agent.asynchttpclient.AsyncHttpClientInstrumentation",
            frames("org.asynchttpclient.", Frames.NETTY_CLIENT_CONNECT), packages("org.asynchttpclient.", "io.netty.")),
    JETTY_CLIENT("jetty-client", "dev.imdsv2.agent.jetty.JettyInstrumentation",
            frames("org.eclipse.jetty.client."), packages("org.eclipse.jetty.")),
    VERTX("vertx", "dev.imdsv2.agent.vertx.VertxInstrumentation",
            frames(Frames.NETTY_CLIENT_CONNECT), packages("io.vertx.", "io.netty.")),
    /** The catch-all: not a client of its own, so it has no frames and no packages. */
    SOCKET("socket", null, frames(), packages());

    /** The name: the {@code client} tag of the meters and the name in the configuration keys. */
    public final String tag;
    /** The third-party client's {@code ClientInstrumentation} ({@code a.b.C}), or null for the JDK's and the catch-all. */
    public final String instrumentation;
    /**
     * The frames on the stack when this client connects: class-name prefixes, or {@code Class#method} for a class
     * that servers run too. Narrow on purpose: server frames of the same projects (a Jetty or Netty server's request
     * threads) must not hide a raw socket opened by the application's handler.
     */
    public final List<String> connectFrames;
    /** Packages of this client's own code (and of what it ships with): never the caller of a request. */
    public final List<String> callerSkippedPackages;

    KnownClient(String tag, String instrumentation, List<String> connectFrames, List<String> callerSkippedPackages) {
        this.tag = tag;
        this.instrumentation = instrumentation;
        this.connectFrames = connectFrames;
        this.callerSkippedPackages = callerSkippedPackages;
    }

    /** Every name, in this order. */
    public static List<String> tags() {
        List<String> tags = new ArrayList<String>();
        for (KnownClient client : values()) {
            tags.add(client.tag);
        }
        return Collections.unmodifiableList(tags);
    }

    private static List<String> frames(String... frames) {
        return Collections.unmodifiableList(Arrays.asList(frames));
    }

    private static List<String> packages(String... packages) {
        return Collections.unmodifiableList(Arrays.asList(packages));
    }

    /** Frames more than one client shares (an enum constant's arguments cannot name the enum's own constants). */
    private static final class Frames {
        static final String NETTY_CLIENT_CONNECT = "io.netty.channel.socket.nio.NioSocketChannel";
    }
}
