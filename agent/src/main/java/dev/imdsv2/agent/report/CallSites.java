package dev.imdsv2.agent.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.imdsv2.agent.policy.Action;
import dev.imdsv2.agent.policy.Category;

/**
 * The v1 call sites seen: per site its client, category, counts per action, first and last seen.
 * A new site is logged once at WARN (DESIGN.md: {@code class.method(File:line)}, client, category,
 * action). Bounded, so an application with endless distinct sites cannot grow the agent's memory.
 */
public final class CallSites {
    static final int MAX_SITES = 1000;
    static final String OVERFLOW_SITE = "(other call sites: more than " + MAX_SITES + ")";

    /** What is known about one call site; a snapshot copy is handed out. */
    public static final class Site {
        public final String site;
        public final String client;
        public final Category category;
        public final Map<Action, Long> counts;
        public final long firstSeenMillis;
        public final long lastSeenMillis;

        Site(String site, String client, Category category, Map<Action, Long> counts, long first, long last) {
            this.site = site;
            this.client = client;
            this.category = category;
            this.counts = counts;
            this.firstSeenMillis = first;
            this.lastSeenMillis = last;
        }
    }

    private static final class Entry {
        final String site;
        final String client;
        final Category category;
        final long firstSeen;
        volatile long lastSeen;
        final Map<Action, Long> counts = new EnumMap<Action, Long>(Action.class);

        Entry(String site, String client, Category category, long now) {
            this.site = site;
            this.client = client;
            this.category = category;
            this.firstSeen = now;
            this.lastSeen = now;
        }
    }

    private final ConcurrentMap<String, Entry> sites = new ConcurrentHashMap<String, Entry>();

    /** Records one v1 request from {@code site}; the first time a site is seen, says so at WARN. */
    public void record(String site, String client, Category category, Action action) {
        String key = site + '|' + client + '|' + category.tag();
        long now = System.currentTimeMillis();
        Entry entry = sites.get(key);
        if (entry == null) {
            if (sites.size() >= MAX_SITES) {
                site = OVERFLOW_SITE;
                key = OVERFLOW_SITE;
            }
            Entry created = new Entry(site, client, category, now);
            entry = sites.putIfAbsent(key, created);
            if (entry == null) {
                entry = created;
                AgentLog.log().warn("IMDSv1 call site {}: client={}, category={}, action={}", site, client,
                        category.tag(), action.tag());
            }
        }
        synchronized (entry) {
            Long count = entry.counts.get(action);
            entry.counts.put(action, count == null ? 1L : count + 1);
            entry.lastSeen = now;
        }
    }

    public int size() {
        return sites.size();
    }

    public List<Site> snapshot() {
        List<Site> list = new ArrayList<Site>();
        for (Entry e : sites.values()) {
            synchronized (e) {
                list.add(new Site(e.site, e.client, e.category,
                        Collections.unmodifiableMap(new EnumMap<Action, Long>(e.counts)), e.firstSeen, e.lastSeen));
            }
        }
        return list;
    }
}
