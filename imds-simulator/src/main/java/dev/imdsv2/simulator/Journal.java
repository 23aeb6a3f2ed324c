package dev.imdsv2.simulator;

import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.LoggedResponse;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Records every request a WireMock server receives.
 *
 * <p>A request filter runs before stub matching, transformers and delays, so a request is on record
 * the moment it arrives, even one that is never answered. The status is filled in by a serve-event
 * listener just before the response is written, so a client that has its answer can rely on it.
 * WireMock's own request journal is switched off: it records only after the response.
 */
final class Journal implements RequestFilterV2, ServeEventListener {
    static final int MAX_ENTRIES = 50_000;

    // Which request this Jetty thread is handling. Requests are handled synchronously, filter to
    // response on one thread, and browser-proxied requests get a new ServeEvent id on the way.
    private final ThreadLocal<UUID> current = new ThreadLocal<>();
    // Arrival order; bounded so that a long demo or benchmark run cannot exhaust the heap.
    private final Map<UUID, ReceivedRequest> byId = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, ReceivedRequest> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private volatile boolean recording = true;

    @Override
    public String getName() {
        return "imds-journal";
    }

    @Override
    public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
        if (!recording) {
            return RequestFilterAction.continueWith(request);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpHeader header : request.getHeaders().all()) {
            headers.computeIfAbsent(header.key(), k -> new ArrayList<>()).addAll(header.values());
        }
        ReceivedRequest received =
                new ReceivedRequest(request.getMethod().getName(), pathOf(request), headers, -1);
        synchronized (this) {
            byId.put(serveEvent.getId(), received);
        }
        current.set(serveEvent.getId());
        return RequestFilterAction.continueWith(request);
    }

    @Override
    public void beforeResponseSent(ServeEvent serveEvent, Parameters parameters) {
        UUID id = current.get();
        current.remove();
        LoggedResponse response = serveEvent.getResponse();
        if (id == null || response == null || response.getFault() != null) {
            return; // a fault (a dropped connection) is no answer: the status stays -1
        }
        synchronized (this) {
            byId.computeIfPresent(id, (key, r) -> r.withStatus(response.getStatus()));
        }
    }

    @Override
    public boolean applyToAdmin() {
        return false;
    }

    @Override
    public boolean applyToStubs() {
        return true;
    }

    synchronized List<ReceivedRequest> received() {
        return List.copyOf(byId.values());
    }

    synchronized void reset() {
        byId.clear();
    }

    /** For the stand-alone program: nobody reads the journal there, so keep nothing. */
    void stopRecording() {
        recording = false;
        reset();
    }

    /** The path without query; a forward-proxy request carries an absolute URL instead of a path. */
    static String pathOf(Request request) {
        String url = request.getUrl();
        if (url.startsWith("http://") || url.startsWith("https://")) {
            String raw = URI.create(url).getRawPath();
            url = raw == null || raw.isEmpty() ? "/" : raw;
        }
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
