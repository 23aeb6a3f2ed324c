package dev.imdsv2.agent.apache4;

import java.io.IOException;

import org.apache.http.HttpException;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpExecutionAware;
import org.apache.http.client.methods.HttpRequestWrapper;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.conn.routing.HttpRoute;
import org.apache.http.impl.execchain.ProtocolExec;

import dev.imdsv2.agent.clients.Hook;
import dev.imdsv2.agent.clients.ImdsHops;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * Called at the exit of the classic {@code ProtocolExec.execute(route, request, context, execAware)}, which sends
 * one hop through the protocol processor and the connection: see {@link Apache4Instrumentation}. When IMDS
 * answered 401 to the token this agent put on the hop, the response is closed and the hop executed once more,
 * as the client's own {@code RetryExec} does after an I/O error, so the request goes out again with a fresh
 * token instead of the 401 reaching the caller.
 */
public final class ProtocolExecAdvice {

    private ProtocolExecAdvice() {
    }

    @Hook.OnExit
    public static CloseableHttpResponse exit(@Hook.Return CloseableHttpResponse response,
                                             @Hook.This ProtocolExec exec,
                                             @Hook.Argument(0) HttpRoute route,
                                             @Hook.Argument(1) HttpRequestWrapper request,
                                             @Hook.Argument(2) HttpClientContext context,
                                             @Hook.Argument(3) HttpExecutionAware execAware) throws IOException, HttpException {
        try {
            if (response == null || response.getStatusLine().getStatusCode() != 401 || !ImdsHops.takeResend(context)) {
                return response;
            }
            response.close();
            request.removeHeaders(DecisionPath.TOKEN_HEADER); // the rejected token; the processor puts the fresh one on
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
            return response;
        }
        return exec.execute(route, request, context, execAware); // the re-send's own failure is the caller's
    }
}
