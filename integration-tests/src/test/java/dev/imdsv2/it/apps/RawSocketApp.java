package dev.imdsv2.it.apps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/**
 * A legacy-style application that speaks HTTP to IMDS itself, over plain sockets. Commands are separated by
 * {@code --}; each request prints {@code RESULT <status> <body>} (or {@code RESULT ERROR ...}).
 * <ul>
 *   <li>{@code socket http10|http11 URL [Header=value...]}: one GET over a {@code java.net.Socket}, the head
 *       written in two pieces; the host of URL is resolved as usual, so {@code localhost} works</li>
 *   <li>{@code keepalive URL1 URL2}: two HTTP/1.1 GETs, one after the other on one connection, the first head
 *       written a byte at a time</li>
 *   <li>{@code channel URL}: one HTTP/1.0 GET over an NIO {@code SocketChannel}</li>
 *   <li>{@code tunnel PROXY_PORT URL}: one HTTP/1.0 GET over a {@code java.net.Socket} made with an HTTP proxy
 *       on 127.0.0.1 ({@code new Socket(new Proxy(HTTP, ...))}, a CONNECT tunnel)</li>
 *   <li>{@code attach JAR ARGUMENTS}: loads the agent into this running JVM (on 9+ that needs
 *       {@code -Djdk.attach.allowAttachSelf=true}), after the socket classes were loaded</li>
 *   <li>{@code urlconnection URL}: a GET with HttpURLConnection; {@code counts}: the agent's request counts</li>
 *   <li>anything else: a command of {@code JdkHttpClientApp} ({@code send}, Java 11+)</li>
 * </ul>
 */
public final class RawSocketApp {

    public static void main(String[] args) throws Exception {
        Commands.runEach(args, RawSocketApp::run);
    }

    private static void run(List<String> c) throws Exception {
        try {
            switch (c.get(0)) {
                case "socket":
                    socketGet(c.get(1).equals("http10") ? "HTTP/1.0" : "HTTP/1.1", URI.create(c.get(2)), c.subList(3, c.size()));
                    break;
                case "tunnel":
                    tunnelGet(Integer.parseInt(c.get(1)), URI.create(c.get(2)));
                    break;
                case "keepalive":
                    keepAlive(URI.create(c.get(1)), URI.create(c.get(2)));
                    break;
                case "channel":
                    channelGet(URI.create(c.get(1)));
                    break;
                case "attach":
                    Jvm.loadAgentIntoThisJvm(c.get(1), c.get(2));
                    break;
                case "urlconnection":
                    result(UrlConnectionClient.request("GET", c.get(1), null, Collections.emptyList()));
                    break;
                case "counts":
                    AgentCounts.print();
                    break;
                default:
                    Jvm.callJdkHttpClientApp("main", (Object) c.toArray(new String[0]));
                    break;
            }
        } catch (IOException e) {
            result("ERROR " + e);
        }
    }

    private static void socketGet(String version, URI uri, List<String> headers) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            StringBuilder rest = new StringBuilder("Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n");
            for (String header : headers) {
                rest.append(header.replaceFirst("=", ": ")).append("\r\n");
            }
            if (version.equals("HTTP/1.1")) {
                rest.append("Connection: close\r\n");
            }
            rest.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + uri.getRawPath() + " " + version + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.write(rest.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            result(response(Jvm.readAll(socket.getInputStream())));
        }
    }

    private static void tunnelGet(int proxyPort, URI uri) throws IOException {
        try (Socket socket = new Socket(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxyPort)))) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            result(response(Jvm.readAll(socket.getInputStream())));
        }
    }

    private static void keepAlive(URI first, URI second) throws IOException {
        try (Socket socket = new Socket(first.getHost(), first.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] head = ("GET " + first.getRawPath() + " HTTP/1.1\r\nHost: " + first.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (byte b : head) {
                out.write(b);
            }
            out.flush();
            result(readOneResponse(in));
            out.write(("GET " + second.getRawPath() + " HTTP/1.1\r\nHost: " + second.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            result(readOneResponse(in));
        }
    }

    private static void channelGet(URI uri) throws IOException {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()))) {
            channel.write(ByteBuffer.wrap(("GET " + uri.getRawPath() + " HTTP/1.0\r\nHost: " + uri.getHost() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (channel.read(buffer) >= 0) {
                response.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            result(response(response.toByteArray()));
        }
    }

    /** "status body" of a whole response read to the end of the connection. */
    private static String response(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || headEnd < 0) {
            return "BAD " + text;
        }
        String head = text.substring(0, headEnd);
        String body = text.substring(headEnd + 4);
        if (head.toLowerCase().contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        return head.substring(9, 12) + " " + body.replace('\n', ' ').trim();
    }

    /** One response of a keep-alive connection, framed by Content-Length or chunked encoding. */
    private static String readOneResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString("ISO-8859-1").endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response head: " + head);
            }
            head.write(b);
        }
        String headText = head.toString("ISO-8859-1");
        String status = headText.substring(9, 12);
        String lower = headText.toLowerCase();
        int length = lower.indexOf("content-length:");
        if (length >= 0) {
            int n = Integer.parseInt(lower.substring(length + 15, lower.indexOf("\r\n", length)).trim());
            return status + " " + new String(Jvm.readExactly(in, n), StandardCharsets.ISO_8859_1).replace('\n', ' ').trim();
        }
        StringBuilder body = new StringBuilder();
        while (true) {
            String sizeLine = readLine(in);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                readLine(in);
                return status + " " + body.toString().replace('\n', ' ').trim();
            }
            body.append(new String(Jvm.readExactly(in, size), StandardCharsets.ISO_8859_1));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static void result(String text) {
        System.out.println("RESULT " + text);
        System.out.flush();
    }
}
