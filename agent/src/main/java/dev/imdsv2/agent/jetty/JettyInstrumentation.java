package dev.imdsv2.agent.jetty;

import static dev.imdsv2.agent.clients.MethodMatcher.named;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArgument;
import static dev.imdsv2.agent.clients.MethodMatcher.takesArguments;

import java.util.Arrays;
import java.util.List;

import dev.imdsv2.agent.clients.AdvicePlan;
import dev.imdsv2.agent.clients.ClientInstrumentation;

/**
 * Jetty {@code HttpClient} 9.4, 10, 11 and 12, sync and async, every transport: three advice per package layout.
 * 9.4 to 11 keep the request in {@code org.eclipse.jetty.client} ({@code HttpRequest}, {@code api.Request}); 12
 * moved it to {@code client.transport} behind the interface {@code client.Request}. The two sets of advice read
 * the same things from each layout's own types, and decide through {@link dev.imdsv2.agent.clients.ImdsHops}.
 *
 * <ul>
 *   <li>Per hop: on entry to {@code HttpConnection.normalizeRequest}, where each request (a redirect or an
 *   authentication retry is a new request of the same conversation) is prepared for its connection, whose
 *   destination knows the proxy. A request resent on another connection comes here again: the agent marks a
 *   decided request with the attribute {@link #DECIDED} so it is decided and counted once. An earlier request
 *   of the conversation to a host that is not IMDS means a redirect into IMDS from elsewhere: no token.</li>
 *   <li>Redirects: Jetty builds the next hop with {@code HttpClient.copyRequest}, which copies the headers; the
 *   token this agent added is removed from the copy there, so it never follows a redirect (the next hop, if it
 *   goes to IMDS, is decided again).</li>
 *   <li>Responses: on exit of {@code HttpReceiver.responseHeaders}, a 401 to a request this agent upgraded
 *   drops the token (Jetty hands the 401 to the application; the next request gets a new token).</li>
 * </ul>
 * In enforce mode a blocked request is aborted with the agent's {@code IOException}, which the application
 * gets as the request's failure (wrapped in an {@code ExecutionException} by the sync {@code send()}).
 */
public final class JettyInstrumentation implements ClientInstrumentation {
    public static final String CLIENT = "jetty-client";
    /**
     * Request attribute: {@code Boolean.TRUE} when this agent added the token to the request, {@code FALSE} when
     * it decided to leave it as it was. Only ever set on IMDS requests.
     */
    public static final String DECIDED = "dev.imdsv2.agent.decided";
    /** Advice classes are named, not referenced: the agent reads them as class files and defines them into the client's loader. */
    private static final String ADVICE = "dev.imdsv2.agent.jetty.";
    private static final String HTTP_CLIENT = "org.eclipse.jetty.client.HttpClient";
    private static final String JETTY9_PACKAGE = "org.eclipse.jetty.client.";
    private static final String JETTY12_PACKAGE = "org.eclipse.jetty.client.transport.";

    @Override
    public String client() {
        return CLIENT;
    }

    @Override
    public List<String> targetClasses() {
        return Arrays.asList(HTTP_CLIENT, JETTY9_PACKAGE + "HttpConnection", JETTY9_PACKAGE + "HttpReceiver",
                JETTY12_PACKAGE + "HttpConnection", JETTY12_PACKAGE + "HttpReceiver");
    }

    @Override
    public void advise(AdvicePlan plan) {
        plan.advise(HTTP_CLIENT, named("copyRequest").and(takesArguments(2)).and(takesArgument(0, JETTY9_PACKAGE + "HttpRequest")),
                        ADVICE + "Jetty9CopyRequestAdvice")
                .advise(HTTP_CLIENT, named("copyRequest").and(takesArguments(2)).and(takesArgument(0, "org.eclipse.jetty.client.Request")),
                        ADVICE + "Jetty12CopyRequestAdvice")
                .advise(JETTY9_PACKAGE + "HttpConnection", named("normalizeRequest").and(takesArguments(1)),
                        ADVICE + "Jetty9ConnectionAdvice")
                .advise(JETTY12_PACKAGE + "HttpConnection", named("normalizeRequest").and(takesArguments(1)),
                        ADVICE + "Jetty12ConnectionAdvice")
                .advise(JETTY9_PACKAGE + "HttpReceiver", named("responseHeaders").and(takesArguments(1)),
                        ADVICE + "Jetty9ReceiverAdvice")
                .advise(JETTY12_PACKAGE + "HttpReceiver", named("responseHeaders").and(takesArguments(1)),
                        ADVICE + "Jetty12ReceiverAdvice");
    }
}
