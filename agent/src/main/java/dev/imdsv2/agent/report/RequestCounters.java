package dev.imdsv2.agent.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.imdsv2.agent.policy.Action;
import dev.imdsv2.agent.policy.Category;

/**
 * The agent's counts of IMDS requests ({@code imdsv2.requests}) and of 401s after an upgrade
 * ({@code imdsv2.unauthorized}), by the bounded tags of DESIGN.md. Kept here, free of any metrics
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

    private final ConcurrentMap<Key, AtomicLong> requests = new ConcurrentHashMap<Key, AtomicLong>();
    private final ConcurrentMap<String, AtomicLong> unauthorized = new ConcurrentHashMap<String, AtomicLong>();

    public void countRequest(String client, String version, Action action, Category category) {
        counter(requests, new Key(client, version, action, category)).incrementAndGet();
    }

    public void countUnauthorized(String client) {
        counter(unauthorized, client).incrementAndGet();
    }

    private static <K> AtomicLong counter(ConcurrentMap<K, AtomicLong> map, K key) {
        AtomicLong counter = map.get(key);
        if (counter == null) {
            AtomicLong created = new AtomicLong();
            counter = map.putIfAbsent(key, created);
            if (counter == null) {
                counter = created;
            }
        }
        return counter;
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
