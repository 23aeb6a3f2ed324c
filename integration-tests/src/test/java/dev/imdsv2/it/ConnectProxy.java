package dev.imdsv2.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP proxy that offers only tunnels ({@code CONNECT}), for clients that tunnel even plain HTTP through a
 * proxy (Reactor Netty, Netty's {@code HttpProxyHandler}), in front of a recording forward proxy: each request
 * that comes through a tunnel is handed to the forward proxy with an absolute URL, so the forward proxy records
 * it with its headers (as it would from a client that does not tunnel) and sends it on to the tunnel's target.
 * Plain-HTTP requests without a chunked body only, on loopback.
 */
final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final int forwardProxyPort;

    ConnectProxy(int forwardProxyPort) throws IOException {
        this.forwardProxyPort = forwardProxyPort;
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket client = server.accept();
                    Thread tunnel = new Thread(() -> tunnel(client), "connect-proxy");
                    tunnel.setDaemon(true);
                    tunnel.start();
                }
            } catch (IOException closed) {
                // the proxy was closed
            }
        }, "connect-proxy-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void tunnel(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), forwardProxyPort)) {
            InputStream in = client.getInputStream();
            String connect = readHead(in);
            if (connect == null || !connect.startsWith("CONNECT ")) {
                return;
            }
            String target = connect.split(" ")[1];
            client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread back = new Thread(() -> {
                try {
                    upstream.getInputStream().transferTo(client.getOutputStream());
                } catch (IOException ignored) {
                    // one side closed
                }
            }, "connect-proxy-back");
            back.setDaemon(true);
            back.start();
            OutputStream out = upstream.getOutputStream();
            String head;
            while ((head = readHead(in)) != null) {
                int space = head.indexOf(' ');
                out.write((head.substring(0, space + 1) + "http://" + target + head.substring(space + 1)).getBytes(StandardCharsets.US_ASCII));
                out.write(in.readNBytes(contentLength(head)));
                out.flush();
            }
        } catch (IOException ignored) {
            // one side closed
        }
    }

    /** One request head, up to and with its blank line; null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String text = head.toString(StandardCharsets.US_ASCII);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
