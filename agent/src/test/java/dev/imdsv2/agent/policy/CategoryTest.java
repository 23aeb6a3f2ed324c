package dev.imdsv2.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CategoryTest {
    @Test
    void pathsFallIntoBoundedCategories() {
        assertEquals(Category.TOKEN, Category.of("/latest/api/token"));
        assertEquals(Category.CREDENTIALS, Category.of("/latest/meta-data/iam/security-credentials/role"));
        assertEquals(Category.CREDENTIALS, Category.of("/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance"));
        assertEquals(Category.IDENTITY, Category.of("/latest/dynamic/instance-identity/document"));
        assertEquals(Category.PLACEMENT, Category.of("/2021-03-23/meta-data/placement/region"));
        assertEquals(Category.USER_DATA, Category.of("/latest/user-data"));
        assertEquals(Category.OTHER_META_DATA, Category.of("/latest/meta-data/instance-id"));
        assertEquals(Category.OTHER, Category.of("/"));
        assertEquals(Category.OTHER, Category.of("/latest"));
        assertEquals(Category.OTHER, Category.of(null));
    }

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
