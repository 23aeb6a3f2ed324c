package dev.imdsv2.agent.socket;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.imdsv2.agent.policy.DecisionPath;

/**
 * The head of one HTTP/1.x request as an application wrote it to a socket: what the decision path needs
 * (method, path, token and forwarding headers) and what framing the next request needs (body length).
 */
final class RequestHead {
    /** No body follows, or its length is given by {@link #contentLength}. */
    static final long NO_BODY = 0;

    final String method;
    /** The path without query, from an origin-form ({@code /p?q}) or absolute-form ({@code http://h/p}) target. */
    final String path;
    final boolean carriesToken;
    final boolean forwarded;
    final long contentLength;
    /** A chunked body follows: the agent stops reading the stream there. */
    final boolean chunked;
    /** Where the blank line that ends the head starts: the token header goes there. */
    final int blankLineStart;
    final String lineEnding;

    private RequestHead(String method, String path, boolean carriesToken, boolean forwarded, long contentLength,
                        boolean chunked, int blankLineStart, String lineEnding) {
        this.method = method;
        this.path = path;
        this.carriesToken = carriesToken;
        this.forwarded = forwarded;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.blankLineStart = blankLineStart;
        this.lineEnding = lineEnding;
    }

    /**
     * The end (exclusive) of the head in {@code bytes[0, length)}: just after the blank line (CRLF CRLF, or LF LF
     * from lenient clients); -1 when the head is not complete yet. {@code from} is where the search may start.
     */
    static int end(byte[] bytes, int from, int length) {
        for (int i = Math.max(from, 0); i < length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (i + 1 < length && bytes[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** Parses {@code bytes[0, end)}, a complete head; null when it is not an HTTP/1.x request. */
    static RequestHead parse(byte[] bytes, int end) {
        String text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        String lineEnding = end >= 2 && bytes[end - 2] == '\r' ? "\r\n" : "\n"; // the blank line's own ending
        int blankLineStart = end - lineEnding.length();
        String[] lines = text.substring(0, blankLineStart).split("\r?\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !isToken(requestLine[0]) || !requestLine[2].startsWith("HTTP/1.")) {
            return null;
        }
        boolean carriesToken = false;
        boolean forwarded = false;
        long contentLength = NO_BODY;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // an empty trailing piece, or a malformed line the server will judge
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase(DecisionPath.TOKEN_HEADER)) {
                carriesToken = true;
            } else if (DecisionPath.isRelayHeader(name)) {
                forwarded = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = chunked || value.toLowerCase(Locale.ROOT).contains("chunked");
            } else if (name.equalsIgnoreCase("Content-Length")) {
                try {
                    contentLength = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    chunked = true; // framing unknown: stop reading requests on this stream after this one
                }
            }
        }
        return new RequestHead(requestLine[0], path(requestLine[1]), carriesToken, forwarded,
                Math.max(contentLength, 0), chunked, blankLineStart, lineEnding);
    }

    /** {@code bytes[0, end)} with {@code name: value} added as the last header. */
    byte[] withHeader(byte[] bytes, int end, String name, String value) {
        byte[] line = (name + ": " + value + lineEnding).getBytes(StandardCharsets.ISO_8859_1);
        byte[] result = new byte[end + line.length];
        System.arraycopy(bytes, 0, result, 0, blankLineStart);
        System.arraycopy(line, 0, result, blankLineStart, line.length);
        System.arraycopy(bytes, blankLineStart, result, blankLineStart + line.length, end - blankLineStart);
        return result;
    }

    private static String path(String target) {
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme > 0 && !path.startsWith("/")) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        int fragment = path.indexOf('#');
        return fragment >= 0 ? path.substring(0, fragment) : path;
    }

    private static boolean isToken(String method) {
        if (method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

}
