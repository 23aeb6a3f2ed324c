package dev.imdsv2.agent.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class HeadRewriterTest {
    /** Upgrades every GET, records what it was asked about. */
    private static final class RecordingDecider implements HeadRewriter.Decider {
        final List<String> seen = new ArrayList<>();
        int unreadable;

        @Override
        public String tokenFor(RequestHead head) throws IOException {
            seen.add(head.method + " " + head.path + (head.carriesToken ? " token" : "") + (head.forwarded ? " forwarded" : ""));
            if (head.path.startsWith("/blocked")) {
                throw new IOException("blocked");
            }
            return head.method.equals("GET") && !head.carriesToken ? "T0K" : null;
        }

        @Override
        public void unreadable() {
            unreadable++;
        }
    }

    private final RecordingDecider decider = new RecordingDecider();
    private final HeadRewriter rewriter = new HeadRewriter(decider);
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    private void write(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        rewriter.write(sent, bytes, 0, bytes.length);
    }

    private String sent() {
        return sent.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theTokenGoesBeforeTheBlankLineAndTheHeadIsHeldUntilComplete() throws IOException {
        write("GET /latest/meta-data/instance-id?x=1 HTTP/1.0\r\nHost: 169.254.169.254\r\n");
        assertEquals("", sent(), "nothing leaves before the head is complete");
        write("\r");
        write("\n");
        assertEquals("GET /latest/meta-data/instance-id?x=1 HTTP/1.0\r\nHost: 169.254.169.254\r\n"
                + "X-aws-ec2-metadata-token: T0K\r\n\r\n", sent());
        assertEquals(List.of("GET /latest/meta-data/instance-id"), decider.seen);
    }

    @Test
    void keepAliveRequestsAreEachDecidedAndBodiesPassUntouched() throws IOException {
        write("PUT /a HTTP/1.1\r\nContent-Length: 4\r\nX-Forwarded-For: x\r\n\r\nabcdGET /b HTTP/1.1\nX-aws-ec2-metadata-token: v\n\n\r\n"
                + "GET http://169.254.169.254/c HTTP/1.1\r\n\r\n");
        assertEquals(List.of("PUT /a forwarded", "GET /b token", "GET /c"), decider.seen);
        assertEquals("PUT /a HTTP/1.1\r\nContent-Length: 4\r\nX-Forwarded-For: x\r\n\r\nabcd"
                + "GET /b HTTP/1.1\nX-aws-ec2-metadata-token: v\n\n\r\n"
                + "GET http://169.254.169.254/c HTTP/1.1\r\nX-aws-ec2-metadata-token: T0K\r\n\r\n", sent());
    }

    @Test
    void somethingElseThanHttp1PassesThroughUnread() throws IOException {
        write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nGET /x HTTP/1.1\r\n\r\n");
        assertEquals(1, decider.unreadable);
        assertEquals(List.of(), decider.seen);
        assertEquals("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nGET /x HTTP/1.1\r\n\r\n", sent());
    }

    @Test
    void aChunkedBodyEndsTheReadingAndAnEndlessHeadIsLetThrough() throws IOException {
        write("POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n0\r\n\r\n");
        assertEquals(List.of("POST /p"), decider.seen);
        assertTrue(sent().endsWith("0\r\n\r\n"));

        HeadRewriter other = new HeadRewriter(decider);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] endless = new byte[HeadRewriter.MAX_HEAD + 10];
        java.util.Arrays.fill(endless, (byte) 'a');
        other.write(out, endless, 0, endless.length);
        assertEquals(endless.length, out.size());
        assertEquals(1, decider.unreadable);
    }

    @Test
    void aBlockedHeadNeverLeavesAndLaterWritesFail() throws IOException {
        assertThrows(IOException.class, () -> write("GET /blocked HTTP/1.1\r\n\r\n"));
        assertThrows(IOException.class, () -> write("more"));
        assertEquals("", sent());
    }

    @Test
    void anUnfinishedHeadGoesOutOnClose() throws IOException {
        write("GET /x HTTP/1.1\r\n");
        rewriter.release(sent);
        assertEquals("GET /x HTTP/1.1\r\n", sent());
    }

    @Test
    void endpointLiteralsAreParsedWithoutLookup() {
        assertEquals("/169.254.169.254", SocketInstrumentation.literalAddress("169.254.169.254").toString());
        assertEquals("/fd00:ec2:0:0:0:0:0:254", SocketInstrumentation.literalAddress("[fd00:ec2::254]").toString());
        assertNull(SocketInstrumentation.literalAddress("instance-data"));
        assertNull(SocketInstrumentation.literalAddress("1.2.3.256"));
        assertNull(SocketInstrumentation.literalAddress("1.2.3"));
    }
}
