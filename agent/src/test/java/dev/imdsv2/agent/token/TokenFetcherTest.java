package dev.imdsv2.agent.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TokenFetcherTest {
    private static TokenFetcher.Result parse(String response) {
        return TokenFetcher.parse(response.getBytes(StandardCharsets.ISO_8859_1), 21600);
    }

    @Test
    void readsTheTokenAndTheEchoedTtl() {
        TokenFetcher.Result r = parse("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nX-aws-ec2-metadata-token-ttl-seconds: 300\r\n\r\nAQAEAB==");
        assertEquals(FetchOutcome.SUCCESS, r.outcome);
        assertEquals("AQAEAB==", r.token);
        assertEquals(300, r.ttlSeconds);
    }

    @Test
    void readsAChunkedBody() {
        TokenFetcher.Result r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nAQAE\r\n4\r\nAB==\r\n0\r\n\r\n");
        assertEquals("AQAEAB==", r.token);
        assertEquals(21600, r.ttlSeconds, "no echo: the TTL asked for");
    }

    @Test
    void mapsStatusesToOutcomes() {
        assertEquals(FetchOutcome.HTTP_403, parse("HTTP/1.1 403 Forbidden\r\n\r\n").outcome);
        assertEquals(FetchOutcome.HTTP_404, parse("HTTP/1.1 404 Not Found\r\n\r\n").outcome);
        assertEquals(FetchOutcome.HTTP_405, parse("HTTP/1.1 405 Method Not Allowed\r\n\r\n").outcome);
        assertEquals(FetchOutcome.HTTP_5XX, parse("HTTP/1.1 503 Service Unavailable\r\n\r\n").outcome);
        assertEquals(FetchOutcome.ERROR, parse("HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\n\r\n").outcome);
        assertEquals(FetchOutcome.ERROR, parse("garbage").outcome);
    }

    @Test
    void refusesATokenThatCouldInjectHeaders() {
        TokenFetcher.Result r = parse("HTTP/1.1 200 OK\r\n\r\nabc\r\nX-Evil: 1");
        assertEquals(FetchOutcome.ERROR, r.outcome);
        assertNull(r.token);
    }
}
