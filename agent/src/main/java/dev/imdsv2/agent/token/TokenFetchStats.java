package dev.imdsv2.agent.token;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counts and total time of the agent's token PUTs by outcome: what {@code imdsv2.token.fetch} will show. */
public final class TokenFetchStats {
    private final Map<FetchOutcome, AtomicLong> counts = new EnumMap<FetchOutcome, AtomicLong>(FetchOutcome.class);
    private final Map<FetchOutcome, AtomicLong> nanos = new EnumMap<FetchOutcome, AtomicLong>(FetchOutcome.class);

    public TokenFetchStats() {
        for (FetchOutcome outcome : FetchOutcome.values()) {
            counts.put(outcome, new AtomicLong());
            nanos.put(outcome, new AtomicLong());
        }
    }

    public void record(FetchOutcome outcome, long elapsedNanos) {
        counts.get(outcome).incrementAndGet();
        nanos.get(outcome).addAndGet(elapsedNanos);
    }

    public long count(FetchOutcome outcome) {
        return counts.get(outcome).get();
    }

    public long totalNanos(FetchOutcome outcome) {
        return nanos.get(outcome).get();
    }

    public Map<FetchOutcome, Long> counts() {
        Map<FetchOutcome, Long> copy = new EnumMap<FetchOutcome, Long>(FetchOutcome.class);
        for (Map.Entry<FetchOutcome, AtomicLong> e : counts.entrySet()) {
            copy.put(e.getKey(), e.getValue().get());
        }
        return Collections.unmodifiableMap(copy);
    }
}
