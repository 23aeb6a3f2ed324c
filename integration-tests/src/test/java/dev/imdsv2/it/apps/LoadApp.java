package dev.imdsv2.it.apps;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * {@code LoadApp URL SECONDS THREADS WARM_UP_SECONDS}: THREADS threads GET URL as fast as they can for SECONDS
 * seconds, thread {@code i} with client {@code i mod n} of {@link ImdsClients}. The same load runs for
 * WARM_UP_SECONDS first, so that what is measured at the start (threads, heap after a full GC) already includes
 * every class, connection, pool and cache the run needs; the same is measured at the end, with the same threads.
 * Prints {@code REQUESTS client ok failed}, up to 10 {@code FAILED client answer}, {@code THREADS start end},
 * {@code NEW_THREADS names...} and {@code HEAP_KB start end}.
 */
public final class LoadApp {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        int seconds = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int warmUpSeconds = Integer.parseInt(args[3]);
        Map<String, Function<String, String>> clients = ImdsClients.create();
        List<String> names = new ArrayList<>(clients.keySet());
        AtomicLongArray ok = new AtomicLongArray(names.size());
        AtomicLongArray failed = new AtomicLongArray(names.size());
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger failuresKept = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);

        Phase warmUp = new Phase(pool, threads, names, clients, url, null, null, null, null);
        warmUp.run(warmUpSeconds);
        Snapshot start = Snapshot.take(clients.values(), url);
        new Phase(pool, threads, names, clients, url, ok, failed, failures, failuresKept).run(seconds);
        Snapshot end = Snapshot.take(clients.values(), url);
        pool.shutdown();

        for (int c = 0; c < names.size(); c++) {
            System.out.println("REQUESTS " + names.get(c) + " " + ok.get(c) + " " + failed.get(c));
        }
        for (String failure : failures) {
            System.out.println("FAILED " + failure);
        }
        System.out.println("THREADS " + start.threads.size() + " " + end.threads.size());
        TreeSet<String> added = new TreeSet<>(end.threads);
        added.removeAll(start.threads);
        System.out.println("NEW_THREADS " + String.join(",", added));
        System.out.println("HEAP_KB " + start.heapKb + " " + end.heapKb);
        System.out.flush();
    }

    /** One timed run of every thread against its client. Counts and failures are dropped when null (warm-up). */
    private static final class Phase {
        private final ExecutorService pool;
        private final int threads;
        private final List<String> names;
        private final Map<String, Function<String, String>> clients;
        private final String url;
        private final AtomicLongArray ok;
        private final AtomicLongArray failed;
        private final ConcurrentLinkedQueue<String> failures;
        private final AtomicInteger failuresKept;

        Phase(ExecutorService pool, int threads, List<String> names, Map<String, Function<String, String>> clients,
              String url, AtomicLongArray ok, AtomicLongArray failed, ConcurrentLinkedQueue<String> failures,
              AtomicInteger failuresKept) {
            this.pool = pool;
            this.threads = threads;
            this.names = names;
            this.clients = clients;
            this.url = url;
            this.ok = ok;
            this.failed = failed;
            this.failures = failures;
            this.failuresKept = failuresKept;
        }

        void run(int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int client = t % names.size();
                Function<String, String> get = clients.get(names.get(client));
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        String answer = get.apply(url);
                        boolean success = answer.startsWith("200 ");
                        if (ok != null) {
                            (success ? ok : failed).incrementAndGet(client);
                            if (!success && failuresKept.incrementAndGet() <= 10) {
                                failures.add(names.get(client) + " " + answer);
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
    }

    /** Live threads by name, and used heap after a full GC. */
    private static final class Snapshot {
        final List<String> threads;
        final long heapKb;

        Snapshot(List<String> threads, long heapKb) {
            this.threads = threads;
            this.heapKb = heapKb;
        }

        static Snapshot take(Iterable<Function<String, String>> clients, String url) throws InterruptedException {
            fullGc();
            // Weak-keyed maps (the agent's per-connection state, the JDK's own) drop the entries of collected keys on
            // their next use, not in the GC: one more request per client, then collect again, counts only live state.
            for (Function<String, String> client : clients) {
                client.apply(url);
            }
            fullGc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            List<String> names = new ArrayList<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                names.add(thread.getName());
            }
            return new Snapshot(names, used / 1024);
        }

        private static void fullGc() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
        }
    }
}
