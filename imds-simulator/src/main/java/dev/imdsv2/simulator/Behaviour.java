package dev.imdsv2.simulator;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulator does right now: token mode, token lifetime cap and the faults it plays.
 * Set from test threads, read by Jetty threads, hence volatile fields and a concurrent map.
 */
final class Behaviour {
    static final int MAX_TTL_SECONDS = 21600;

    record Redirect(String location, int status) {}

    volatile boolean tokensRequired;
    volatile int tokenLifetimeCapSeconds = MAX_TTL_SECONDS;
    volatile boolean tokenPutNeverAnswered;
    volatile boolean rejectEveryToken;
    volatile boolean tokenPutDropped;
    volatile int tokenPutStatus; // 0: answer token PUTs normally
    volatile Duration delay = Duration.ZERO;
    final Map<String, Redirect> redirects = new ConcurrentHashMap<>();

    // Hung and delayed requests wait on this monitor, so that close() (and, for hung PUTs,
    // resetFaults()) can release them at once instead of leaving Jetty threads blocked.
    private long faultGeneration;
    private boolean closed;

    synchronized void resetFaults() {
        tokenPutNeverAnswered = false;
        rejectEveryToken = false;
        tokenPutDropped = false;
        tokenPutStatus = 0;
        delay = Duration.ZERO;
        redirects.clear();
        faultGeneration++;
        notifyAll();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Blocks until the faults are reset or the simulator closes, like a PUT lost on the way back. */
    synchronized void hang() {
        long generation = faultGeneration;
        while (!closed && generation == faultGeneration) {
            if (!waitQuietly(0)) {
                return;
            }
        }
    }

    /** Sleeps for the delay, but wakes up early when the simulator closes. */
    synchronized void pause(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
            if (!waitQuietly(Math.max(1, left / 1_000_000))) {
                return;
            }
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private boolean waitQuietly(long millis) {
        try {
            wait(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
