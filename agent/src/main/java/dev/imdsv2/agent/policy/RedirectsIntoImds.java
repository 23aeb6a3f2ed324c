package dev.imdsv2.agent.policy;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.imdsv2.agent.config.Endpoint;

/**
 * Redirects into IMDS that a host other than IMDS answered: the targets they named, for a short while.
 *
 * <p>A client that follows a redirect itself keeps it in one exchange, and each client instrumentation sees
 * that. Code that follows redirects by hand does not: it reads {@code Location} from a 3xx answer and makes a
 * new request (a fresh {@code HttpURLConnection}, a new OkHttp call), which looks like a direct IMDS request
 * from the application, and that is exactly the SSRF path. So every 3xx answer from a host that is not IMDS
 * whose {@code Location} targets IMDS is noted here, and a request to that endpoint and path within
 * {@link #WINDOW_NANOS}, on any thread, is treated as redirected from elsewhere: it gets no token. Marks are
 * not used up by the first request, so a retry of the redirected request gets no token either.
 *
 * <p>Only a redirect into IMDS is ever noted, so ordinary traffic adds nothing here, and while no mark is
 * held an IMDS request pays one volatile read.
 */
final class RedirectsIntoImds {
    /** Long enough for any hand-written redirect loop, short enough not to stand in a later, direct request's way. */
    static final long WINDOW_NANOS = 10_000_000_000L;
    /** Beyond this many distinct targets at once (a spray of paths), the whole endpoint is marked instead. */
    private static final int MAX_MARKS = 256;
    private static final String ANY_PATH = "";

    /** "endpoint path" (or "endpoint " for the whole endpoint) to the time the mark lapses. */
    private final Map<String, Long> marks = new ConcurrentHashMap<String, Long>();
    private volatile boolean any;

    /** A host that is not IMDS answered a redirect to {@code path} at {@code target}. */
    synchronized void note(Endpoint target, String path, long nowNanos) {
        long until = nowNanos + WINDOW_NANOS;
        if (marks.size() >= MAX_MARKS) {
            purge(nowNanos);
        }
        marks.put(key(target, marks.size() >= MAX_MARKS ? ANY_PATH : path), until);
        any = true;
    }

    /** Whether a request to {@code path} at {@code target} now follows such a redirect. */
    boolean marked(Endpoint target, String path, long nowNanos) {
        if (!any) {
            return false;
        }
        return live(key(target, path), nowNanos) || live(key(target, ANY_PATH), nowNanos);
    }

    private boolean live(String key, long nowNanos) {
        Long until = marks.get(key);
        if (until == null) {
            return false;
        }
        if (nowNanos - until < 0) {
            return true;
        }
        marks.remove(key, until);
        return false;
    }

    /** Under the lock of {@link #note}, so {@link #any} never turns false beside a new mark. */
    private void purge(long nowNanos) {
        for (Iterator<Long> it = marks.values().iterator(); it.hasNext(); ) {
            if (nowNanos - it.next() >= 0) {
                it.remove();
            }
        }
        any = !marks.isEmpty();
    }

    private static String key(Endpoint target, String path) {
        return target + " " + path;
    }
}
