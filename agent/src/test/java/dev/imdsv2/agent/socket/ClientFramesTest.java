package dev.imdsv2.agent.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ClientFramesTest {
    /** Frames as {@code Class} or {@code Class#method}. */
    private static StackTraceElement[] stack(String... frames) {
        StackTraceElement[] stack = new StackTraceElement[frames.length];
        for (int i = 0; i < frames.length; i++) {
            String[] parts = frames[i].split("#");
            stack[i] = new StackTraceElement(parts[0], parts.length > 1 ? parts[1] : "m", null, -1);
        }
        return stack;
    }

    private final ClientFrames frames = new ClientFrames(List.of("urlconnection", "jetty-client", "vertx", "apache-httpclient-5"));

    @Test
    void theAgentsOwnPutAndInstrumentedClientsAreLeftAlone() {
        assertEquals(ClientFrames.Owner.AGENT, frames.ownerOf(stack("java.net.Socket", "dev.imdsv2.agent.token.TokenFetcher",
                "sun.net.www.protocol.http.HttpURLConnection", "app.Main"), 0));
        assertEquals(ClientFrames.Owner.INSTRUMENTED_CLIENT, frames.ownerOf(stack("java.net.Socket", "sun.net.NetworkClient",
                "sun.net.www.protocol.http.HttpURLConnection", "app.Main"), 0));
        assertEquals(ClientFrames.Owner.INSTRUMENTED_CLIENT, frames.ownerOf(stack("sun.nio.ch.SocketChannelImpl",
                "io.netty.channel.socket.nio.NioSocketChannel", "io.netty.util.concurrent.SingleThreadEventExecutor"), 0));
    }

    @Test
    void aClientThatIsNotInstrumentedIsKnownAndServerThreadsAreOtherCode() {
        assertEquals(ClientFrames.Owner.OTHER_KNOWN_CLIENT, frames.ownerOf(stack("java.net.Socket", "okhttp3.internal.platform.Platform",
                "app.Main"), 0));
        assertEquals(ClientFrames.Owner.OTHER_CODE, frames.ownerOf(stack("java.net.Socket", "app.Handler",
                "org.eclipse.jetty.server.HttpChannel", "io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe"), 0));
    }

    @Test
    void aReactorThreadCountsAsTheClientOnlyInItsConnectMethod() {
        assertEquals(ClientFrames.Owner.INSTRUMENTED_CLIENT, frames.ownerOf(stack("sun.nio.ch.SocketChannelImpl#connect",
                "org.apache.hc.core5.reactor.SingleCoreIOReactor#processConnectionRequest",
                "org.apache.hc.core5.reactor.SingleCoreIOReactor#processPendingConnectionRequests"), 0));
        assertEquals(ClientFrames.Owner.OTHER_CODE, frames.ownerOf(stack("java.net.Socket#connect", "app.Handler#handle",
                "org.apache.hc.core5.reactor.SingleCoreIOReactor#processEvents"), 0));
    }

    @Test
    void framesAboveTheHookAreNotJudged() {
        assertEquals(ClientFrames.Owner.OTHER_CODE, frames.ownerOf(stack("dev.imdsv2.agent.socket.SocketInstrumentation",
                "sun.nio.ch.Imdsv2SocketHook", "java.net.Socket", "app.Main"), 2));
    }
}
