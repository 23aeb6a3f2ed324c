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
 * {@code LoadApp URL SECONDS THREADS}: THREADS threads GET URL as fast as they can for SECONDS seconds, thread
 * {@code i} with client {@code i mod n} of {@link ImdsClients}. A warm-up of {@value #WARM_UP_SECONDS} s comes
 * first, so that what is measured at the start (threads, heap after a full GC) already includes every class,
 * connection and pool the run needs; the same is measured at the end, with the same threads still alive.
 * Prints {@code REQUESTS client ok failed}, up to 10 {@code FAILED client answer}, {@code THREADS start end},
 * {@code NEW_THREADS names...} and {@code HEAP_KB start end}.
 */
public final class LoadApp {
    private static final int WARM_UP_SECONDS = 2;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int seconds = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        Map<String, Function<String, String>> clients = ImdsClients.create();
        List<String> names = new ArrayList<>(clients.keySet());
        AtomicLongArray ok = new AtomicLongArray(names.size());
        AtomicLongArray failed = new AtomicLongArray(names.size());
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger failuresKept = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);

        Phase warmUp = new Phase(pool, threads, names, clients, url, null, null, null, null);
        warmUp.run(WARM_UP_SECONDS);
        Snapshot start = Snapshot.take();
        new Phase(pool, threads, names, clients, url, ok, failed, failures, failuresKept).run(seconds);
        Snapshot end = Snapshot.take();
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
    private record Phase(ExecutorService pool, int threads, List<String> names, Map<String, Function<String, String>> clients,
                         String url, AtomicLongArray ok, AtomicLongArray failed, ConcurrentLinkedQueue<String> failures,
                         AtomicInteger failuresKept) {
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
    private record Snapshot(List<String> threads, long heapKb) {
        static Snapshot take() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            List<String> names = new ArrayList<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                names.add(thread.getName());
            }
            return new Snapshot(names, used / 1024);
        }
    }
}
