package dev.imdsv2.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CallerFinderTest {
    @Test
    void theCallerIsTheFirstFrameOutsideTheMachinery() {
        StackTraceElement[] stack = {
            new StackTraceElement("dev.imdsv2.agent.policy.DecisionPath", "decide", "DecisionPath.java", 1),
            new StackTraceElement("sun.net.www.protocol.http.HttpURLConnection", "writeRequests", "HttpURLConnection.java", 2),
            new StackTraceElement("okhttp3.RealCall", "execute", "RealCall.kt", 3),
            new StackTraceElement("com.amazonaws.internal.EC2ResourceFetcher", "doReadResource", "EC2ResourceFetcher.java", 4),
            new StackTraceElement("com.example.App", "main", "App.java", 5),
        };
        StackTraceElement caller = CallerFinder.callerFrame(stack);
        assertEquals("com.amazonaws.internal.EC2ResourceFetcher.doReadResource(EC2ResourceFetcher.java:4)", CallerFinder.describe(caller));
        assertEquals("unknown", CallerFinder.describe(CallerFinder.callerFrame(new StackTraceElement[] {stack[0], stack[1]})));
    }
}
