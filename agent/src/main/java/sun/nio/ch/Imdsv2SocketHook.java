package sun.nio.ch;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The one class the patched {@code java.net.Socket} and {@code sun.nio.ch.SocketChannelImpl} call: the
 * socket-level catch-all.
 *
 * <p>The agent defines it at run time into {@code java.base} (this package is not exported, so
 * applications cannot reach it), because JDK code can only link to classes its own loader sees. It uses
 * nothing but {@code java.base} types, takes the sockets as {@code Object} (so that defining it never needs
 * {@code java.net.Socket} loaded), and reaches the agent only through the fields below, which the agent sets
 * once it is ready. It is never loaded from the agent jar itself.
 *
 * <p>Every TCP connect of the JVM runs {@link #beforeConnect}: it compares the port, then the address,
 * with the IMDS endpoints' and allocates nothing unless both match. Nothing here may disturb the
 * application: every failure is swallowed.
 */
public final class Imdsv2SocketHook {

    /** The IMDS endpoints as resolved socket addresses (parsed from literals, never looked up); null when the agent is off. */
    public static volatile InetSocketAddress[] imdsAddresses;

    /** Called for connects to an IMDS address only, with (socket or channel, address). */
    public static volatile BiConsumer<Object, InetSocketAddress> onImdsConnect;

    /** Set once a {@code java.net.Socket} to IMDS has been kept for the agent: until then getOutputStream costs one read. */
    public static volatile boolean imdsSocketSeen;

    /** Called, once {@link #imdsSocketSeen}, with (socket, its output stream): returns the stream to hand the application. */
    public static volatile BiFunction<Object, OutputStream, OutputStream> outputFor;

    private Imdsv2SocketHook() {
    }

    /** Inserted at the start of {@code Socket.connect(SocketAddress, int)} and {@code SocketChannelImpl.beginConnect(boolean, SocketAddress)} (on Java 8, {@code SocketChannelImpl.connect(SocketAddress)}). */
    public static void beforeConnect(Object socketOrChannel, Object endpoint) {
        try {
            InetSocketAddress[] targets = imdsAddresses;
            if (targets == null || !(endpoint instanceof InetSocketAddress)) {
                return;
            }
            InetSocketAddress address = (InetSocketAddress) endpoint;
            int port = address.getPort();
            for (int i = 0; i < targets.length; i++) {
                InetSocketAddress target = targets[i];
                if (target.getPort() == port && target.getAddress().equals(address.getAddress())) {
                    BiConsumer<Object, InetSocketAddress> connect = onImdsConnect;
                    if (connect != null) {
                        connect.accept(socketOrChannel, address);
                    }
                    return;
                }
            }
        } catch (Throwable ignored) {
            // The agent counts and logs its own failures; here the connection goes ahead as the application made it.
        }
    }

    /** Inserted before each return of {@code Socket.getOutputStream()}: the stream to return instead. */
    public static OutputStream afterGetOutputStream(Object socket, OutputStream out) {
        if (!imdsSocketSeen) {
            return out;
        }
        try {
            BiFunction<Object, OutputStream, OutputStream> output = outputFor;
            if (output != null) {
                OutputStream replaced = output.apply(socket, out);
                if (replaced != null) {
                    return replaced;
                }
            }
        } catch (Throwable ignored) {
            // As above: the application gets its own stream.
        }
        return out;
    }
}
