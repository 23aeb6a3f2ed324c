package dev.imdsv2.agent.apache4;

import net.bytebuddy.asm.Advice;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpExecutionAware;
import org.apache.http.client.methods.HttpRequestWrapper;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.conn.routing.HttpRoute;
import org.apache.http.impl.execchain.ProtocolExec;

import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Inlined at the exit of the classic {@code ProtocolExec.execute(route, request, context, execAware)}, which sends
 * one hop through the protocol processor and the connection: see {@link Apache4Instrumentation}. When IMDS
 * answered 401 to the token this agent put on the hop, the response is closed and the hop executed once more,
 * as the client's own {@code RetryExec} does after an I/O error, so the request goes out again with a fresh
 * token instead of the 401 reaching the caller.
 */
public final class ProtocolExecAdvice {

    private ProtocolExecAdvice() {
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This ProtocolExec exec,
                     @Advice.Argument(0) HttpRoute route,
                     @Advice.Argument(1) HttpRequestWrapper request,
                     @Advice.Argument(2) HttpClientContext context,
                     @Advice.Argument(3) HttpExecutionAware execAware,
                     @Advice.Return(readOnly = false) CloseableHttpResponse response,
                     @Advice.Thrown(readOnly = false) Throwable thrown) {
        if (response == null || response.getStatusLine().getStatusCode() != 401 || !ImdsHops.takeResend(context)) {
            return;
        }
        CloseableHttpResponse rejected = response;
        response = null;
        try {
            rejected.close();
            request.removeHeaders(DecisionPath.TOKEN_HEADER); // the rejected token; the processor puts the fresh one on
            response = exec.execute(route, request, context, execAware);
        } catch (Throwable t) {
            thrown = t; // the re-send's own failure is the caller's, as any failure of the request would be
        }
    }
}
