package dev.imdsv2.agent.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.imdsv2.agent.log.AgentLog;

/**
 * The v1 call sites seen: per site its client, category, counts per action, first and last seen.
 * A new site is logged once at WARN (README.md, "Logs": {@code class.method(File:line)}, client, category,
 * action). Bounded, so an application with endless distinct sites cannot grow the agent's memory.
 *
 * <p>Reading a call site out of a captured stack costs several microseconds, more than the rest of an upgrade
 * together, so a request that needs the site for nothing else hands its stack over with {@link #recordLater} and
 * goes on. A daemon thread reads the queued stacks and records them; anything that reads the sites reads the queue
 * first, so a snapshot, the report at exit included, always holds every request recorded before it.
 */
public final class CallSites {
    static final int MAX_SITES = 1000;
    static final String OVERFLOW_SITE = "(other call sites: more than " + MAX_SITES + ")";
    /** Past this many stacks waiting, a request reads its own: the queue cannot outgrow memory when the reader lags. */
    static final int MAX_PENDING = 10_000;
    /**
     * The reader waits this long after waking up, so that a burst of requests costs one wake-up, not one each. Each
     * wake-up costs the requests of that moment more than reading the stacks does: on 2 cores an upgraded request
     * cost 1.05 to 1.10 times the application's own v2 request with 10 ms batches, 1.02 to 1.08 with 200 ms. A WARN
     * line for a new site comes at most this much later.
     */
    private static final long BATCH_MILLIS = 200;

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
        /** Guarded by the entry: requests are recorded a little out of order once their sites are read later. */
        long firstSeen;
        long lastSeen;
        final Map<Action, Long> counts = new EnumMap<Action, Long>(Action.class);

        Entry(String site, String client, Category category, long now) {
            this.site = site;
            this.client = client;
            this.category = category;
            this.firstSeen = now;
            this.lastSeen = now;
        }
    }

    /** A v1 request whose call site is still to be read from the stack captured where it was sent. */
    private static final class Pending {
        final Throwable sentFrom;
        final String client;
        final Category category;
        final Action action;
        final long atMillis;

        Pending(Throwable sentFrom, String client, Category category, Action action, long atMillis) {
            this.sentFrom = sentFrom;
            this.client = client;
            this.category = category;
            this.action = action;
            this.atMillis = atMillis;
        }
    }

    private final int maxPending;
    private final ConcurrentMap<String, Entry> sites = new ConcurrentHashMap<String, Entry>();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<Pending>();
    private final Object readingLock = new Object();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private volatile Thread reader;
    private volatile boolean readerParked;
    private volatile boolean readerUnavailable;

    private final Readiness readiness;

    /** @param readiness told the call site of each tokenless request that reached IMDS */
    public CallSites(Readiness readiness) {
        this(readiness, MAX_PENDING);
    }

    CallSites(Readiness readiness, int maxPending) {
        this.readiness = readiness;
        this.maxPending = maxPending;
    }

    /** Records one v1 request from {@code site}; the first time a site is seen, says so at WARN. */
    public void record(String site, String client, Category category, Action action) {
        record(site, client, category, action, System.currentTimeMillis());
    }

    /**
     * Records one v1 request whose call site is in the stack of {@code sentFrom}, made on the thread that sent it.
     * The site is read later, off this thread (see the class comment).
     */
    public void recordLater(Throwable sentFrom, String client, Category category, Action action) {
        long now = System.currentTimeMillis();
        if (readerUnavailable || !reserveQueueSlot()) {
            record(CallerFinder.describe(CallerFinder.callerFrame(sentFrom)), client, category, action, now);
            return;
        }
        pending.offer(new Pending(sentFrom, client, category, action, now));
        Thread current = reader;
        if (current == null) {
            startReader();
        } else if (readerParked) {
            LockSupport.unpark(current);
        }
    }

    private boolean reserveQueueSlot() {
        if (pendingCount.incrementAndGet() <= maxPending) {
            return true;
        }
        pendingCount.decrementAndGet();
        return false;
    }

    private synchronized void startReader() {
        if (reader != null || readerUnavailable) {
            return;
        }
        try {
            Thread thread = new Thread(new Runnable() {
                @Override
                public void run() {
                    readQueueForever();
                }
            }, "imdsv2-agent-call-sites");
            thread.setDaemon(true);
            thread.start();
            reader = thread;
            // A site first seen just before the JVM exits still gets its WARN line.
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    readQueue();
                }
            }, "imdsv2-agent-call-sites-at-exit"));
        } catch (Throwable t) {
            // No thread to be had (a container's process limit, a SecurityManager): requests read their own sites.
            readerUnavailable = true;
            AgentLog.warn("internal_failure").log("no thread for reading call sites ({}): each v1 request reads its own", String.valueOf(t));
            readQueue();
        }
    }

    private void readQueueForever() {
        while (true) {
            try {
                readQueue();
                readerParked = true;
                if (pending.isEmpty()) { // a request that queued before this check sees readerParked and unparks
                    LockSupport.park(this);
                }
                readerParked = false;
                Thread.sleep(BATCH_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                AgentLog.internalFailure("call-site reader", t);
            }
        }
    }

    /**
     * Records every queued request; run by the reader, and by every reader of the sites before it reads. One at a
     * time: a reader of the sites must not find the queue empty while the reader thread still holds requests it
     * took from it.
     */
    private void readQueue() {
        synchronized (readingLock) {
            Pending p;
            while ((p = pending.poll()) != null) {
                pendingCount.decrementAndGet();
                record(CallerFinder.describe(CallerFinder.callerFrame(p.sentFrom)), p.client, p.category, p.action,
                        p.atMillis);
            }
        }
    }

    void record(String site, String client, Category category, Action action, long now) {
        String key = site + '|' + client + '|' + category.tag();
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
                AgentLog.warn("v1_call_site").with("site", site).with("client", client).with("category", category.tag())
                        .with("action", action.tag())
                        .log("IMDSv1 call site {}: client={}, category={}, action={}", site, client, category.tag(), action.tag());
            }
        }
        synchronized (entry) {
            Long count = entry.counts.get(action);
            entry.counts.put(action, count == null ? 1L : count + 1);
            entry.firstSeen = Math.min(entry.firstSeen, now);
            entry.lastSeen = Math.max(entry.lastSeen, now);
        }
        if (action == Action.PASSED) {
            readiness.reachedFrom(site, now);
        }
    }

    /** Requests whose site is still to be read. */
    int pending() {
        return pendingCount.get();
    }

    /** Sites recorded so far, without reading the queue first. */
    int recordedSites() {
        return sites.size();
    }

    public int size() {
        readQueue();
        return sites.size();
    }

    public List<Site> snapshot() {
        readQueue();
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
