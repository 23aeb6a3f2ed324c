package dev.imdsv2.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One request as a server received it, and the status it answered (an immutable snapshot). */
public final class ReceivedRequest {
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    private final String method;
    private final String path;
    private final Map<String, List<String>> headers;
    private final int status;

    ReceivedRequest(String method, String path, Map<String, List<String>> headers, int status) {
        this.method = method;
        this.path = path;
        // Case-insensitive keys: HTTP header names are, and clients differ in how they spell them.
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        copy.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Collections.unmodifiableMap(copy);
        this.status = status;
    }

    ReceivedRequest withStatus(int newStatus) {
        return new ReceivedRequest(method, path, headers, newStatus);
    }

    public String method() {
        return method;
    }

    /** The request path without the query string (for a forward proxy: the path of the absolute URL). */
    public String path() {
        return path;
    }

    /** The first value of the named header (case-insensitive), or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** All headers; the map's keys are case-insensitive. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    public boolean hasToken() {
        return headers.containsKey(TOKEN_HEADER);
    }

    public String token() {
        return header(TOKEN_HEADER);
    }

    /** The status the server answered, or -1 if it has not answered (yet). */
    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return method + " " + path + " -> " + status + (hasToken() ? " (token)" : " (no token)");
    }
}
