package dev.imdsv2.agent.token;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.report.AgentLog;
import dev.imdsv2.agent.report.TokenFetchStats;

/**
 * One IMDSv2 session token per endpoint, shared by every client in the JVM.
 *
 * <p>A token is used for the first three quarters of its lifetime and never in the last quarter, so
 * even a 1-second TTL works. From half-life on, the first caller to come along renews it while the
 * others keep using the still-valid one; once it is past use (or there is none), callers wait for
 * the one PUT in flight. A failed PUT makes {@link #token} answer "none" at once for
 * {@code token.retry-after} seconds: never a stall on every call while IMDS is unhappy.
 */
public final class TokenManager {

    /** The result of asking for a token: the token, or why there is none. */
    public static final class Lease {
        public final String token;
        /** Null when there is a token; otherwise the reason, as a sentence fragment. */
        public final String unavailableReason;

        private Lease(String token, String unavailableReason) {
            this.token = token;
            this.unavailableReason = unavailableReason;
        }
    }

    private static final class Token {
        final String value;
        final long renewAtNanos;
        final long useUntilNanos;
        final long expiresAtMillis;

        Token(String value, long fetchedAtNanos, int ttlSeconds) {
            long ttlNanos = ttlSeconds * 1_000_000_000L;
            this.value = value;
            this.renewAtNanos = fetchedAtNanos + ttlNanos / 2;
            this.useUntilNanos = fetchedAtNanos + ttlNanos / 4 * 3;
            this.expiresAtMillis = System.currentTimeMillis() + ttlSeconds * 1000L;
        }
    }

    /** The state of one endpoint. Fields written under {@code this} lock, read without it. */
    private final class Slot {
        final Endpoint endpoint;
        volatile Token current;
        volatile long retryAfterNanos;
        volatile FetchOutcome lastFailure;
        boolean fetching;

        Slot(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        Lease lease(AgentConfig config) {
            long now = System.nanoTime();
            Token token = current;
            if (token != null && now < token.renewAtNanos) {
                return new Lease(token.value, null);
            }
            if (token != null && now < token.useUntilNanos) {
                if (beginFetch(false, config)) {
                    fetch(config);
                }
                Token renewed = current;
                return new Lease(renewed != null && System.nanoTime() < renewed.useUntilNanos ? renewed.value : token.value, null);
            }
            if (now < retryAfterNanos) {
                return unavailable();
            }
            if (beginFetch(true, config)) {
                fetch(config);
            }
            token = current;
            if (token != null && System.nanoTime() < token.useUntilNanos) {
                return new Lease(token.value, null);
            }
            return unavailable();
        }

        private Lease unavailable() {
            FetchOutcome failure = lastFailure;
            return new Lease(null, "no token: the last token PUT to " + endpoint + " ended with "
                    + (failure == null ? "no answer" : failure.tag()) + "; retrying after " + retryAfterSeconds() + " s");
        }

        /**
         * True when the caller is to do the PUT. With {@code wait}, a caller that finds a PUT in flight
         * waits for it (bounded by the timeout) and then returns false to use its result.
         */
        private synchronized boolean beginFetch(boolean wait, AgentConfig config) {
            if (!fetching) {
                Token token = current;
                boolean stillFresh = token != null && System.nanoTime() < token.renewAtNanos;
                if (stillFresh || System.nanoTime() < retryAfterNanos) {
                    return false; // a PUT just succeeded, or failed and its retry-after holds
                }
                fetching = true;
                return true;
            }
            if (!wait) {
                return false;
            }
            long deadline = System.nanoTime() + (config.tokenTimeoutMillis() + 100L) * 1_000_000L;
            while (fetching) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        private void fetch(AgentConfig config) {
            long start = System.nanoTime();
            TokenFetcher.Result result;
            try {
                result = TokenFetcher.fetch(endpoint, config.tokenTtlSeconds(), config.tokenTimeoutMillis());
            } catch (Throwable t) {
                AgentLog.internalFailure("token fetch", t);
                result = new TokenFetcher.Result(FetchOutcome.ERROR, null, 0);
            }
            long end = System.nanoTime();
            stats.record(result.outcome, end - start);
            synchronized (this) {
                if (result.outcome == FetchOutcome.SUCCESS) {
                    current = new Token(result.token, start, result.ttlSeconds);
                    lastFailure = null;
                    retryAfterNanos = 0;
                } else {
                    lastFailure = result.outcome;
                    retryAfterNanos = end + config.tokenRetryAfterSeconds() * 1_000_000_000L;
                    AgentLog.log().warn("token PUT to {} failed ({}); tokenless requests go out as they are for {} s",
                            endpoint, result.outcome.tag(), config.tokenRetryAfterSeconds());
                }
                fetching = false;
                notifyAll();
            }
        }

        synchronized void invalidate(String token) {
            Token now = current;
            if (now != null && now.value.equals(token)) {
                current = null;
            }
        }
    }

    private final ConcurrentMap<Endpoint, Slot> slots = new ConcurrentHashMap<Endpoint, Slot>();
    private final TokenFetchStats stats;
    private volatile AgentConfig config;

    public TokenManager(AgentConfig config, TokenFetchStats stats) {
        this.config = config;
        this.stats = stats;
    }

    public void reconfigure(AgentConfig newConfig) {
        this.config = newConfig;
    }

    private int retryAfterSeconds() {
        return config.tokenRetryAfterSeconds();
    }

    /** A usable token for {@code endpoint}, fetching one if need be; never blocks past the token timeout. */
    public Lease token(Endpoint endpoint) {
        return slot(endpoint).lease(config);
    }

    /** IMDS answered 401 to a request carrying {@code token}: drop it, unless a newer one has replaced it already. */
    public void rejected(Endpoint endpoint, String token) {
        slot(endpoint).invalidate(token);
    }

    /** Seconds until the newest cached token (any endpoint) expires; 0 when there is none. */
    public long secondsToExpiry() {
        long best = 0;
        long now = System.currentTimeMillis();
        for (Slot slot : slots.values()) {
            Token token = slot.current;
            if (token != null) {
                best = Math.max(best, (token.expiresAtMillis - now) / 1000L);
            }
        }
        return Math.max(0, best);
    }

    private Slot slot(Endpoint endpoint) {
        Slot slot = slots.get(endpoint);
        if (slot == null) {
            Slot created = new Slot(endpoint);
            slot = slots.putIfAbsent(endpoint, created);
            if (slot == null) {
                slot = created;
            }
        }
        return slot;
    }
}
