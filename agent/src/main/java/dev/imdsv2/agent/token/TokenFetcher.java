package dev.imdsv2.agent.token;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.imdsv2.agent.config.Endpoint;

/**
 * The agent's own {@code PUT /latest/api/token}, spoken over a plain socket.
 *
 * <p>Not HttpURLConnection: that would run through the application's proxy selector, cookie handler,
 * response cache and authenticator (each could see or keep the token) and through the agent's own
 * instrumentation. A socket opened with {@link Proxy#NO_PROXY} goes straight to IMDS, and one
 * deadline bounds connect and read together.
 */
final class TokenFetcher {
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    private static final int MAX_RESPONSE_BYTES = 16 * 1024;
    private static final int MAX_TOKEN_LENGTH = 4096;

    /** The result of one PUT: a token, or the outcome that says why not. */
    static final class Result {
        final FetchOutcome outcome;
        final String token;
        final int ttlSeconds;

        Result(FetchOutcome outcome, String token, int ttlSeconds) {
            this.outcome = outcome;
            this.token = token;
            this.ttlSeconds = ttlSeconds;
        }
    }

    private TokenFetcher() {
    }

    static Result fetch(Endpoint endpoint, int ttlSeconds, int timeoutMillis) {
        try {
            return parse(exchange(endpoint, "PUT /latest/api/token", TTL_HEADER + ": " + ttlSeconds + "\r\nContent-Length: 0\r\n",
                    timeoutMillis), ttlSeconds);
        } catch (SocketTimeoutException e) {
            return new Result(FetchOutcome.TIMEOUT, null, 0);
        } catch (ConnectException | NoRouteToHostException e) {
            return new Result(FetchOutcome.REFUSED, null, 0);
        } catch (IOException | RuntimeException e) {
            return new Result(FetchOutcome.ERROR, null, 0);
        }
    }

    /**
     * Whether the endpoint answers a tokenless {@code GET /latest/meta-data/} at all (any HTTP status, a 401 too),
     * within {@code timeoutMillis}.
     */
    static boolean answersGets(Endpoint endpoint, int timeoutMillis) {
        try {
            return new String(exchange(endpoint, "GET /latest/meta-data/", "", timeoutMillis), StandardCharsets.ISO_8859_1)
                    .startsWith("HTTP/1.");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** One request with {@code Connection: close}, and its response: one deadline for connect and read together. */
    private static byte[] exchange(Endpoint endpoint, String requestLine, String headers, int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Socket socket = new Socket(Proxy.NO_PROXY);
        try {
            InetAddress address = InetAddress.getByName(endpoint.hostForUrl());
            socket.connect(new InetSocketAddress(address, endpoint.port()), timeoutMillis);
            socket.setTcpNoDelay(true);
            String head = requestLine + " HTTP/1.1\r\n"
                    + "Host: " + endpoint.hostForUrl() + (endpoint.port() == 80 ? "" : ":" + endpoint.port()) + "\r\n"
                    + headers
                    + "Connection: close\r\n"
                    + "User-Agent: imdsv2-agent\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readResponse(socket, deadline);
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a finished exchange; nothing to recover
            }
        }
    }

    /** Reads until the server closes (we sent Connection: close), the body is complete, or the deadline passes. */
    private static byte[] readResponse(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream response = new ByteArrayOutputStream(512);
        byte[] buffer = new byte[1024];
        while (true) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000L;
            if (remainingMillis <= 0) {
                throw new SocketTimeoutException("token PUT deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
            int n = in.read(buffer);
            if (n < 0) {
                return response.toByteArray();
            }
            response.write(buffer, 0, n);
            if (response.size() > MAX_RESPONSE_BYTES) {
                throw new IOException("token response too large");
            }
            if (isComplete(response.toByteArray())) {
                return response.toByteArray();
            }
        }
    }

    private static boolean isComplete(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return false;
        }
        String length = header(text.substring(0, headEnd), "Content-Length");
        if (length == null) {
            return false; // chunked or close-delimited: read to the end
        }
        try {
            return bytes.length - (headEnd + 4) >= Integer.parseInt(length.trim());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static Result parse(byte[] bytes, int requestedTtl) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || headEnd < 0) {
            return new Result(FetchOutcome.ERROR, null, 0);
        }
        String head = text.substring(0, headEnd);
        int status;
        try {
            status = Integer.parseInt(head.substring(9, 12));
        } catch (RuntimeException e) {
            return new Result(FetchOutcome.ERROR, null, 0);
        }
        if (status != 200) {
            return new Result(FetchOutcome.ofStatus(status), null, 0);
        }
        String body = text.substring(headEnd + 4);
        String encoding = header(head, "Transfer-Encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = dechunk(body);
        }
        String token = body == null ? null : body.trim();
        if (!isHeaderSafe(token)) {
            return new Result(FetchOutcome.ERROR, null, 0);
        }
        int ttl = requestedTtl;
        String echoed = header(head, TTL_HEADER);
        if (echoed != null) {
            try {
                int parsed = Integer.parseInt(echoed.trim());
                if (parsed > 0 && parsed <= requestedTtl) {
                    ttl = parsed;
                }
            } catch (NumberFormatException ignored) {
                // keep the TTL we asked for
            }
        }
        return new Result(FetchOutcome.SUCCESS, token, ttl);
    }

    /** The token goes into a request header: refuse anything that could break or inject into one. */
    private static boolean isHeaderSafe(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            if (lineEnd < 0) {
                return null;
            }
            int size;
            try {
                String sizeText = body.substring(at, lineEnd);
                int ext = sizeText.indexOf(';');
                size = Integer.parseInt((ext >= 0 ? sizeText.substring(0, ext) : sizeText).trim(), 16);
            } catch (NumberFormatException e) {
                return null;
            }
            if (size == 0) {
                return out.toString();
            }
            int start = lineEnd + 2;
            if (start + size > body.length()) {
                return null;
            }
            out.append(body, start, start + size);
            at = start + size + 2;
        }
    }

    private static String header(String head, String name) {
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return null;
    }
}
