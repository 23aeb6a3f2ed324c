package jdk.internal.net.http;

import java.io.IOException;
import java.net.URI;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The one class the patched {@code jdk.internal.net.http.MultiExchange} (the JDK {@code HttpClient}'s
 * per-request driver) calls.
 *
 * <p>The agent defines it at run time into the JDK's own package, in module {@code java.net.http}, because
 * the platform class loader that loads the client cannot see the agent's classes. So it uses nothing but
 * {@code java.base} types, receives the client's internal objects as {@code Object}, and reaches the agent
 * only through the fields below, which the agent sets once it is ready. It is never loaded from the agent
 * jar itself.
 *
 * <p>Nothing here may disturb the application: every failure is swallowed, and the only exception that
 * leaves is the agent's deliberate "blocked in enforce mode" {@link IOException}.
 */
public final class Imdsv2HttpClientHook {

    /** Cheap test run on every request: does this URI target an IMDS endpoint? */
    public static volatile Predicate<URI> isImds;

    /** Called on the sending thread for requests whose first hop is IMDS, with {exchange}. */
    public static volatile Consumer<Object[]> onSend;

    /**
     * Called for IMDS hops and for redirected hops, with {exchange, firstHop, hop, hopUri}; returns an
     * exception to fail the request with, or null.
     */
    public static volatile Function<Object[], IOException> beforeHop;

    /** Called for 401 responses only, with {exchange, hop}; returns a request to send next instead (a re-send), or null. */
    public static volatile Function<Object[], Object> onUnauthorized;

    /** Called for redirects ({@link #isReportedResponse}, not 401) only, with {hop, response}. */
    public static volatile Consumer<Object[]> onRedirect;

    /** Which responses concern the agent (the agent's one rule: a 401 or a redirect); the others go by untouched. */
    public static volatile IntPredicate isReportedResponse;

    private Imdsv2HttpClientHook() {
    }

    /** Inserted at the start of {@code MultiExchange.responseAsync(Executor)}: still on the thread that called send/sendAsync. */
    static void beforeResponseAsync(Object exchange, URI firstHopUri) {
        try {
            Predicate<URI> imds = isImds;
            if (imds == null || firstHopUri == null || !imds.test(firstHopUri)) {
                return;
            }
            Consumer<Object[]> send = onSend;
            if (send != null) {
                send.accept(new Object[] {exchange});
            }
        } catch (Throwable ignored) {
            // The agent counts and logs its own failures; here the request goes out as the application made it.
        }
    }

    /** Inserted at the start of {@code MultiExchange.requestFilters(HttpRequestImpl)}: once per hop, before its headers are sent. */
    static void beforeRequestFilters(Object exchange, Object firstHop, Object hop, URI hopUri) throws IOException {
        IOException blocked = null;
        try {
            Predicate<URI> imds = isImds;
            // A first hop elsewhere is ordinary traffic: one cheap test and out. Later hops (redirects) are
            // rare and always reported, so that a hop away from IMDS is known to the next one.
            if (imds == null || hopUri == null || (hop == firstHop && !imds.test(hopUri))) {
                return;
            }
            Function<Object[], IOException> before = beforeHop;
            if (before != null) {
                blocked = before.apply(new Object[] {exchange, firstHop, hop, hopUri});
            }
        } catch (Throwable ignored) {
            // As above: never let the agent's trouble reach the application.
        }
        if (blocked != null) {
            throw blocked;
        }
    }

    /**
     * Inserted at the start of {@code MultiExchange.responseFilters(Response)}: once per response. A non-null
     * result is an {@code HttpRequestImpl} that the patched method returns, so the client sends it next.
     */
    static Object beforeResponseFilters(Object exchange, Object hop, int statusCode, Object response) {
        try {
            IntPredicate reported = isReportedResponse;
            if (reported == null || !reported.test(statusCode)) {
                return null;
            }
            if (statusCode != 401) {
                Consumer<Object[]> redirect = onRedirect;
                if (redirect != null) {
                    redirect.accept(new Object[] {hop, response});
                }
                return null;
            }
            Function<Object[], Object> unauthorized = onUnauthorized;
            return unauthorized == null ? null : unauthorized.apply(new Object[] {exchange, hop});
        } catch (Throwable ignored) {
            return null; // As above.
        }
    }
}
