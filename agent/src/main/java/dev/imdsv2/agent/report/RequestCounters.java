package dev.imdsv2.agent.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's counts of IMDS requests ({@code imdsv2.requests}) and of 401s after an upgrade
 * ({@code imdsv2.unauthorized}), by the bounded tags README.md lists. Kept here, free of any metrics
 * library, so the meters can be bound to them and the JMX/status views read the same numbers.
 */
public final class RequestCounters {

    /** One combination of the tags of {@code imdsv2.requests}. */
    public static final class Key {
        public final String client;
        public final String version;
        public final Action action;
        public final Category category;

        Key(String client, String version, Action action, Category category) {
            this.client = client;
            this.version = version;
            this.action = action;
            this.category = category;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return client.equals(k.client) && version.equals(k.version) && action == k.action && category == k.category;
        }

        @Override
        public int hashCode() {
            return ((client.hashCode() * 31 + version.hashCode()) * 31 + action.hashCode()) * 31 + category.hashCode();
        }

        @Override
        public String toString() {
            return "client=" + client + ",version=" + version + ",action=" + action.tag() + ",category=" + category.tag();
        }
    }

    /**
     * Told about each series as it first appears, so meters can be bound to its live count then. Called on the
     * request's thread, rarely (the tags are bounded): it must not throw and must not block.
     */
    public interface SeriesListener {
        void requestSeries(Key key, AtomicLong count);

        void unauthorizedSeries(String client, AtomicLong count);
    }

    private final ConcurrentMap<Key, AtomicLong> requests = new ConcurrentHashMap<Key, AtomicLong>();
    private final ConcurrentMap<String, AtomicLong> unauthorized = new ConcurrentHashMap<String, AtomicLong>();
    private final List<SeriesListener> listeners = new CopyOnWriteArrayList<SeriesListener>();
    private final Readiness readiness;

    /** @param readiness told of every request counted, for the verdict of the current phase */
    public RequestCounters(Readiness readiness) {
        this.readiness = readiness;
    }

    public void countRequest(String client, String version, Action action, Category category) {
        Key key = new Key(client, version, action, category);
        AtomicLong counter = requests.get(key);
        if (counter == null) {
            AtomicLong created = new AtomicLong();
            counter = requests.putIfAbsent(key, created);
            if (counter == null) {
                counter = created;
                for (SeriesListener listener : listeners) {
                    listener.requestSeries(key, created);
                }
            }
        }
        counter.incrementAndGet();
        readiness.counted(version, action);
    }

    public void countUnauthorized(String client) {
        AtomicLong counter = unauthorized.get(client);
        if (counter == null) {
            AtomicLong created = new AtomicLong();
            counter = unauthorized.putIfAbsent(client, created);
            if (counter == null) {
                counter = created;
                for (SeriesListener listener : listeners) {
                    listener.unauthorizedSeries(client, created);
                }
            }
        }
        counter.incrementAndGet();
    }

    /**
     * Adds a listener and tells it about every series that exists already. A series created meanwhile may be
     * reported twice; binding a meter is idempotent.
     */
    public void addListener(SeriesListener listener) {
        listeners.add(listener);
        for (Map.Entry<Key, AtomicLong> entry : requests.entrySet()) {
            listener.requestSeries(entry.getKey(), entry.getValue());
        }
        for (Map.Entry<String, AtomicLong> entry : unauthorized.entrySet()) {
            listener.unauthorizedSeries(entry.getKey(), entry.getValue());
        }
    }

    public Map<Key, Long> requests() {
        return snapshot(requests);
    }

    public Map<String, Long> unauthorized() {
        return snapshot(unauthorized);
    }

    private static <K> Map<K, Long> snapshot(ConcurrentMap<K, AtomicLong> map) {
        Map<K, Long> copy = new LinkedHashMap<K, Long>();
        for (Map.Entry<K, AtomicLong> entry : map.entrySet()) {
            copy.put(entry.getKey(), entry.getValue().get());
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Total of the requests matching the given version and action (null = any). */
    public long total(String version, Action action) {
        long sum = 0;
        for (Map.Entry<Key, AtomicLong> entry : requests.entrySet()) {
            Key k = entry.getKey();
            if ((version == null || version.equals(k.version)) && (action == null || action == k.action)) {
                sum += entry.getValue().get();
            }
        }
        return sum;
    }
}
