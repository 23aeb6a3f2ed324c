package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.RawSocketApp;
import dev.imdsv2.simulator.ReceivedRequest;
import dev.imdsv2.simulator.RecordingServer;

/**
 * The socket-level catch-all (client tag {@code unknown}): HTTP written by the application itself over a
 * {@code java.net.Socket} is caught at connect by the resolved address and upgraded as it is written; an NIO
 * {@code SocketChannel} is caught and counted as passed; what a client instrumentation handles is counted once.
 */
class SocketCatchAllIT extends SimulatorTest {
    private static final String UNKNOWN = "client=unknown,version=v1,";

    @Test
    void rawSocketGetsAreUpgradedAndAChannelIsCountedAsPassed() throws Exception {
        String viaLocalhost = "http://localhost:" + imds.port();
        try (RecordingServer other = RecordingServer.start()) {
            ChildJvm app = ChildJvm.withAgent(agentArgs()).main(RawSocketApp.class,
                    "socket", "http10", url(INSTANCE_ID_PATH), "--",
                    "socket", "http11", viaLocalhost + "/latest/meta-data/ami-id", "--",
                    "keepalive", url("/latest/meta-data/hostname"), url("/latest/meta-data/placement/region"), "--",
                    "channel", url("/latest/meta-data/local-ipv4"), "--",
                    "socket", "http11", other.baseUrl() + "/api", "--",
                    "counts").run();

            List<String> results = app.results("RESULT");
            assertEquals(6, results.size(), app.transcript());
            assertEquals("200 " + INSTANCE_ID, results.get(0), "HTTP/1.0\n" + app.transcript());
            assertTrue(results.get(1).startsWith("200 ami-"), "HTTP/1.1 to a host name resolving to IMDS\n" + app.transcript());
            assertTrue(results.get(2).startsWith("200 "), "keep-alive, first request\n" + app.transcript());
            assertTrue(results.get(3).startsWith("200 "), "keep-alive, second request\n" + app.transcript());
            assertTrue(results.get(4).startsWith("401"), "an NIO channel is only counted\n" + app.transcript());
            assertEquals("200 ok", results.get(5), app.transcript());

            for (String path : List.of(INSTANCE_ID_PATH, "/latest/meta-data/ami-id", "/latest/meta-data/hostname",
                    "/latest/meta-data/placement/region")) {
                assertTrue(metadataRequestsTo(path).get(0).hasToken(), path + " was upgraded: " + imds.received());
            }
            assertFalse(metadataRequestsTo("/latest/meta-data/local-ipv4").get(0).hasToken());
            assertEquals(1, imds.tokenPutCount(), "one token for every socket; the agent's own PUT is not counted");
            ReceivedRequest elsewhere = other.received().get(0);
            assertFalse(elsewhere.hasToken(), "another host gets its request as written");
            assertEquals("/api", elsewhere.path());

            List<String> counts = app.results("COUNT");
            assertTrue(counts.contains(UNKNOWN + "action=upgraded,category=other-meta-data 3"), app.transcript());
            assertTrue(counts.contains(UNKNOWN + "action=upgraded,category=placement 1"), app.transcript());
            assertTrue(counts.contains(UNKNOWN + "action=passed,category=other 1"), app.transcript());
            assertEquals(3, counts.size(), "nothing else counted, not the agent's PUT, not the other host: " + counts);
            List<String> sites = app.stderr().stream().filter(l -> l.contains("IMDSv1 call site")).toList();
            assertTrue(sites.stream().anyMatch(l -> l.contains("dev.imdsv2.it.apps.RawSocketApp.socketGet(")
                    && l.contains("client=unknown") && l.contains("action=upgraded")), app.transcript());
            assertTrue(sites.stream().anyMatch(l -> l.contains("dev.imdsv2.it.apps.RawSocketApp.channelGet(")
                    && l.contains("client=unknown, category=other, action=passed")), app.transcript());
        }
    }

    @Test
    void aSocketThroughAnHttpProxyTunnelIsNotUpgraded() throws Exception {
        try (ConnectTunnel tunnel = new ConnectTunnel()) {
            ChildJvm app = ChildJvm.withAgent(agentArgs())
                    .main(RawSocketApp.class, "tunnel", String.valueOf(tunnel.port()), url(INSTANCE_ID_PATH)).run();

            assertTrue(app.results("RESULT").get(0).startsWith("401"), app.transcript());
            assertEquals(List.of("127.0.0.1:" + imds.port()), tunnel.targets(), "the request went through the tunnel");
            assertFalse(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken(), "no token through a proxy");
            assertTrue(app.stderr().stream().anyMatch(l -> l.contains("client=unknown, category=other-meta-data, action=passed")),
                    app.transcript());
        }
    }

    @Test
    void withoutTheAgentRawSocketGetsGet401() throws Exception {
        ChildJvm app = ChildJvm.withoutAgent().main(RawSocketApp.class,
                "socket", "http10", url(INSTANCE_ID_PATH), "--", "socket", "http11", url(INSTANCE_ID_PATH)).run();

        List<String> results = app.results("RESULT");
        assertEquals(2, results.size(), app.transcript());
        assertTrue(results.stream().allMatch(r -> r.startsWith("401")), app.transcript());
        assertTrue(imds.received().stream().noneMatch(ReceivedRequest::hasToken));
    }

    @Test
    void requestsOfInstrumentedClientsAreCountedOnceAndTheCatchAllCanBeSwitchedOff() throws Exception {
        // the JDK HttpClient (java.net.http) is there from Java 11 on
        boolean jdkHttpClient = ChildJvm.javaFeatureVersion() >= 11;
        List<String> requests = new ArrayList<>(List.of("urlconnection", url(INSTANCE_ID_PATH), "--"));
        List<String> counted = new ArrayList<>(List.of("client=urlconnection,version=v1,action=upgraded,category=other-meta-data 1"));
        if (jdkHttpClient) {
            requests.addAll(List.of("send", "http1", url(INSTANCE_ID_PATH), "--"));
            counted.add("client=jdk-httpclient,version=v1,action=upgraded,category=other-meta-data 1");
        }
        requests.add("counts");
        ChildJvm app = ChildJvm.withAgent(agentArgs()).main(RawSocketApp.class, requests.toArray(new String[0])).run();

        assertEquals(Collections.nCopies(counted.size(), "200 " + INSTANCE_ID), app.results("RESULT"), app.transcript());
        assertEquals(counted, app.results("COUNT").stream().sorted((a, b) -> b.compareTo(a)).toList(), app.transcript());
        assertTrue(app.stderr().get(0).contains("clients=urlconnection," + (jdkHttpClient ? "jdk-httpclient," : "") + "okhttp,apache-httpclient-4,apache-httpclient-5,reactor-netty,async-http-client,jetty-client,vertx,socket"), app.transcript());

        ChildJvm off = ChildJvm.withAgent(agentArgs("instrumentation.socket.enabled=false"))
                .main(RawSocketApp.class, "socket", "http11", url(INSTANCE_ID_PATH)).run();
        assertTrue(off.results("RESULT").get(0).startsWith("401"), off.transcript());
        assertFalse(off.stderr().get(0).contains("socket"), off.transcript());
    }

    @Test
    void enforceBlocksWhatItMayNotUpgradeBeforeItLeavesTheJvm() throws Exception {
        ChildJvm app = ChildJvm.withAgent(agentArgs("mode=enforce", "upgrade.paths=/latest/meta-data/instance-id"))
                .main(RawSocketApp.class,
                        "socket", "http11", url(INSTANCE_ID_PATH), "--",
                        "socket", "http11", url("/latest/meta-data/ami-id"), "--",
                        "socket", "http10", url(INSTANCE_ID_PATH), "X-Forwarded-For=203.0.113.9")
                .run();

        List<String> results = app.results("RESULT");
        assertEquals("200 " + INSTANCE_ID, results.get(0), app.transcript());
        assertTrue(results.get(1).startsWith("ERROR java.io.IOException: imdsv2-agent (mode=enforce) blocked")
                && results.get(1).contains("path /latest/meta-data/ami-id is not in imdsv2.upgrade.paths"), app.transcript());
        assertTrue(results.get(2).contains("X-Forwarded-For"), app.transcript());
        assertEquals(1, imds.metadataRequests().size(), "the blocked requests never reached IMDS: " + imds.received());
    }

    @Test
    void socketClassesLoadedBeforeTheAgentArePatchedWhenItArrives() throws Exception {
        String channelPath = "/latest/meta-data/local-ipv4";
        ChildJvm app = ChildJvm.withoutAgent().jvm("-Djdk.attach.allowAttachSelf=true").main(RawSocketApp.class,
                "socket", "http10", url(INSTANCE_ID_PATH), "--", "channel", url(channelPath), "--",
                "attach", ChildJvm.agentJar().toString(), agentArgs(), "--",
                "socket", "http10", url(INSTANCE_ID_PATH), "--", "channel", url(channelPath), "--", "counts").run();

        List<String> results = app.results("RESULT");
        assertEquals(List.of("401", "401", "200 " + INSTANCE_ID, "401"),
                results.stream().map(r -> r.startsWith("401") ? "401" : r).toList(), app.transcript());
        assertEquals(List.of(false, true), metadataRequestsTo(INSTANCE_ID_PATH).stream().map(ReceivedRequest::hasToken).toList());
        List<String> counts = app.results("COUNT");
        assertTrue(counts.containsAll(List.of(UNKNOWN + "action=upgraded,category=other-meta-data 1",
                UNKNOWN + "action=passed,category=other 1")) && counts.size() == 2, app.transcript());
    }

    @Test
    void theHookShipsOnlyAsARenamedResource() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            assertTrue(jar.getEntry("sun/nio/ch/Imdsv2SocketHook.class") == null);
            assertTrue(jar.getEntry("META-INF/imdsv2-hooks/sun/nio/ch/Imdsv2SocketHook.class.bin") != null);
        }
    }

    /** An HTTP proxy that only tunnels (CONNECT), on loopback, remembering the targets it was asked for. */
    private static final class ConnectTunnel implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<String> targets = new CopyOnWriteArrayList<>();

        ConnectTunnel() throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket client = server.accept();
                        new Thread(() -> tunnel(client), "connect-tunnel").start();
                    }
                } catch (IOException closed) {
                    // the tunnel was closed
                }
            }, "connect-tunnel-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> targets() {
            return targets;
        }

        private void tunnel(Socket client) {
            try (client) {
                InputStream in = client.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.append((char) b);
                }
                String target = head.toString().split(" ")[1];
                targets.add(target);
                int colon = target.lastIndexOf(':');
                try (Socket upstream = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))) {
                    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    Thread up = new Thread(() -> {
                        try {
                            in.transferTo(upstream.getOutputStream());
                            upstream.shutdownOutput();
                        } catch (IOException ignored) {
                            // one side closed
                        }
                    });
                    up.start();
                    upstream.getInputStream().transferTo(client.getOutputStream());
                    client.shutdownOutput(); // the application reads the answer to its end
                    up.join(5000);
                }
            } catch (IOException | InterruptedException ignored) {
                // one side closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
