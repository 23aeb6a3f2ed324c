package dev.imdsv2.agent.socket;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The stream {@code Socket.getOutputStream()} hands the application for a socket connected to IMDS: the
 * socket's own stream, with the request heads going through the socket's {@link HeadRewriter}.
 */
final class RewritingOutputStream extends OutputStream {
    private final OutputStream out;
    private final HeadRewriter rewriter;

    RewritingOutputStream(OutputStream out, HeadRewriter rewriter) {
        this.out = out;
        this.rewriter = rewriter;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (offset < 0 || length < 0 || length > bytes.length - offset) {
            throw new IndexOutOfBoundsException();
        }
        synchronized (rewriter) {
            rewriter.write(out, bytes, offset, length);
        }
    }

    /** A head not complete yet stays held: the request cannot be answered before its blank line anyway. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            synchronized (rewriter) {
                rewriter.release(out);
            }
        } finally {
            out.close();
        }
    }
}
