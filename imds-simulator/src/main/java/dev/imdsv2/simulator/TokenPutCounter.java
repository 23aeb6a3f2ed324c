package dev.imdsv2.simulator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts token PUTs beyond the journal's bound, and how many the simulator was answering at one time: a
 * client that shares one token per JVM must never have two of them in flight. A PUT is "in flight" from the
 * moment the simulator starts answering it until its answer is ready, including a slow or never-answered one.
 */
final class TokenPutCounter {
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    void begin() {
        received.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void end() {
        inFlight.decrementAndGet();
    }

    long received() {
        return received.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    /** Starts counting afresh; a PUT in flight still ends, so the maximum restarts from what is in flight now. */
    void reset() {
        received.set(0);
        maxInFlight.set(inFlight.get());
    }
}
