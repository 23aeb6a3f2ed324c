package dev.imdsv2.agent.socket;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * What the agent does to the bytes an application writes to one {@code java.net.Socket} connected to IMDS:
 * it holds each request head back until its blank line, has it decided, adds the token header before the
 * blank line when the decision says so, and passes everything else through untouched. Requests that follow
 * on the same connection (keep-alive) are found by their body length; after a chunked body, or bytes that
 * are not HTTP/1.x, the rest of the stream passes through unread.
 *
 * <p>One per socket, shared by every stream handed out for it, and holding no reference to the socket (it
 * is the value of a weak map keyed by the socket). Callers synchronize on it.
 */
final class HeadRewriter {
    /** A head longer than this is no IMDS request: let it through unread. */
    static final int MAX_HEAD = 16 * 1024;

    /** Decides one request head; implemented by the instrumentation, replaced in unit tests. */
    interface Decider {
        /** The token to add, or null to send the head as written; throws the enforce-mode failure to block it. */
        String tokenFor(RequestHead head) throws IOException;

        /** The connection carries something that is not an HTTP/1.x request. */
        void unreadable();
    }

    private enum State { HEAD, BODY, PASS, BLOCKED }

    private final Decider decider;
    private State state = State.HEAD;
    private byte[] pending = new byte[512];
    private int pendingLength;
    private long bodyRemaining;
    private IOException blocked;

    HeadRewriter(Decider decider) {
        this.decider = decider;
    }

    Decider decider() {
        return decider;
    }

    void write(OutputStream out, byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            switch (state) {
                case PASS:
                    out.write(bytes, offset, length);
                    return;
                case BLOCKED:
                    throw new IOException(blocked.getMessage());
                case BODY: {
                    int n = (int) Math.min(bodyRemaining, length);
                    out.write(bytes, offset, n);
                    offset += n;
                    length -= n;
                    bodyRemaining -= n;
                    if (bodyRemaining == 0) {
                        state = State.HEAD;
                    }
                    break;
                }
                default: { // HEAD
                    if (pendingLength == 0) {
                        // Line breaks between requests belong to no head (RFC 9112, 2.2): pass them on.
                        int breaks = 0;
                        while (breaks < length && (bytes[offset + breaks] == '\r' || bytes[offset + breaks] == '\n')) {
                            breaks++;
                        }
                        if (breaks > 0) {
                            out.write(bytes, offset, breaks);
                            offset += breaks;
                            length -= breaks;
                            continue;
                        }
                    }
                    int searchFrom = pendingLength - 2;
                    append(bytes, offset, length);
                    length = 0;
                    int end = RequestHead.end(pending, searchFrom, pendingLength);
                    if (end < 0) {
                        if (pendingLength > MAX_HEAD) {
                            passTheRest(out);
                        }
                        break;
                    }
                    // The bytes after the head are fed through the loop again.
                    byte[] rest = Arrays.copyOfRange(pending, end, pendingLength);
                    sendHead(out, end);
                    bytes = rest;
                    offset = 0;
                    length = rest.length;
                    break;
                }
            }
        }
    }

    /** On close: a head that never ended goes out as it is. */
    void release(OutputStream out) throws IOException {
        if (pendingLength > 0 && state == State.HEAD) {
            byte[] held = Arrays.copyOf(pending, pendingLength);
            pendingLength = 0;
            out.write(held);
        }
    }

    private void sendHead(OutputStream out, int end) throws IOException {
        byte[] head = pending;
        pending = new byte[512];
        pendingLength = 0;
        RequestHead parsed;
        String token;
        try {
            parsed = RequestHead.parse(head, end);
            token = parsed == null ? null : decider.tokenFor(parsed);
        } catch (IOException failure) {
            state = State.BLOCKED; // the decision path's enforce-mode refusal: nothing of it reaches IMDS
            blocked = failure;
            throw failure;
        } catch (RuntimeException e) {
            AgentLog.internalFailure("socket request head", e);
            out.write(head, 0, end);
            state = State.PASS;
            return;
        }
        if (parsed == null) {
            decider.unreadable();
            out.write(head, 0, end);
            state = State.PASS;
            return;
        }
        if (token == null) {
            out.write(head, 0, end);
        } else {
            out.write(parsed.withHeader(head, end, DecisionPath.TOKEN_HEADER, token)); // one write: one segment, as before
        }
        if (parsed.chunked) {
            state = State.PASS;
        } else if (parsed.contentLength > 0) {
            state = State.BODY;
            bodyRemaining = parsed.contentLength;
        } else {
            state = State.HEAD;
        }
    }

    private void passTheRest(OutputStream out) throws IOException {
        decider.unreadable();
        byte[] held = Arrays.copyOf(pending, pendingLength);
        pendingLength = 0;
        state = State.PASS;
        out.write(held);
    }

    private void append(byte[] bytes, int offset, int length) {
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
        }
        System.arraycopy(bytes, offset, pending, pendingLength, length);
        pendingLength += length;
    }
}
