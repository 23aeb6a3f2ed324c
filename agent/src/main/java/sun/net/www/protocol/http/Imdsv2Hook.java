package sun.net.www.protocol.http;

import java.io.IOException;
import java.net.URL;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The one class the patched {@code sun.net.www.protocol.http.HttpURLConnection} calls.
 *
 * <p>The agent defines it at run time into the JDK's own package (into {@code java.base} on Java 9+,
 * into the bootstrap loader on Java 8), because code inside a JDK class can only link to classes its
 * loader sees. It therefore uses nothing but {@code java.base} types and reaches the agent only
 * through the three fields below, which the agent sets once it is ready. It is never loaded from the
 * agent jar itself.
 *
 * <p>Nothing here may disturb the application: every failure is swallowed, and the only exception
 * that leaves is the agent's deliberate "blocked in enforce mode" {@link IOException}.
 */
public final class Imdsv2Hook {

    /** Cheap test run on every request's hop: does this URL target an IMDS endpoint? */
    public static volatile Predicate<URL> isImds;

    /** Called for IMDS hops only, with {connection, url, method, requests}; returns an exception to fail the request with, or null. */
    public static volatile Function<Object[], IOException> beforeHop;

    /**
     * Called for the responses {@link #isReportedResponse} selects only, with {connection, url, responseCode, requests}; true asks the
     * patched class to send the same request once more (the agent has put a fresh token into it).
     */
    public static volatile Predicate<Object[]> afterResponse;

    /** Which responses concern the agent (the agent's one rule: a 401 or a redirect); the others go by untouched. */
    public static volatile IntPredicate isReportedResponse;

    private Imdsv2Hook() {
    }

    /** Inserted at the start of {@code writeRequests()}: runs once per hop, just before the request head is written. */
    static void beforeWriteRequests(Object connection, URL url, String method, Object requests) throws IOException {
        IOException blocked = null;
        try {
            Predicate<URL> imds = isImds;
            if (imds == null || url == null || !imds.test(url)) {
                return;
            }
            Function<Object[], IOException> hop = beforeHop;
            if (hop != null) {
                blocked = hop.apply(new Object[] {connection, url, method, requests});
            }
        } catch (Throwable ignored) {
            // The agent counts and logs its own failures; here the request goes out as the application made it.
        }
        if (blocked != null) {
            throw blocked;
        }
    }

    /**
     * Inserted at the start of {@code followRedirect()}: runs once per response, before a redirect is followed.
     * Returning true makes the patched method re-send the request to the same URL, as a redirect would.
     */
    static boolean beforeFollowRedirect(Object connection, URL url, int responseCode, Object requests) {
        try {
            IntPredicate reported = isReportedResponse;
            if (reported == null || !reported.test(responseCode)) {
                return false;
            }
            Predicate<Object[]> after = afterResponse;
            return after != null && after.test(new Object[] {connection, url, responseCode, requests});
        } catch (Throwable ignored) {
            return false; // As above: never let the agent's trouble reach the application.
        }
    }
}
