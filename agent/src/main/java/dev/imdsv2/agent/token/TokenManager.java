package dev.imdsv2.agent.token;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.log.AgentLog;

/**
 * One IMDSv2 session token per endpoint, shared by every client in the JVM.
 *
 * <p>A token is used for the first three quarters of its lifetime and never in the last quarter, so
 * even a 1-second TTL works. From half-life on, the first caller to come along renews it while the
 * others keep using the still-valid one; once it is past use (or there is none), callers wait for
 * the one PUT in flight. A failed PUT makes {@link #token} answer "none" at once for
 * {@code token.retry-after} seconds: never a stall on every call while IMDS is unhappy. Two answers that
 * look like success do the same, since retrying them on every call would be no better:
 * <ul>
 *   <li>a token that arrives with less than half its life left (a slow PUT, a short {@code token.ttl}): its life
 *       counts from the PUT's start, so it would be renewed, with another slow PUT, on the very next call;</li>
 *   <li>a token that IMDS rejects the first time it is used, within {@link #JUST_ISSUED_NANOS} of its PUT (an
 *       IMDS, emulator or proxy that speaks only IMDSv1 and answers 401 to any token): a breaker, so that it
 *       costs one PUT per {@code token.retry-after} instead of a PUT and a 401 on every request. A token rejected
 *       after it had served, or long after it was issued, is what an IMDS restart or an early expiry looks
 *       like, and is simply replaced. (Requests already in flight with one token are all its first uses at
 *       once: under concurrent load the breaker sees them as uses, and the PUTs come one per round of them.)</li>
 * </ul>
 */
public final class TokenManager {
    /** A token rejected at its first use this soon after its PUT was never good: see the class comment. */
    static final long JUST_ISSUED_NANOS = 10_000_000_000L;
    /** What {@code status} and the log say of the container hop-limit trap. */
    public static final String HOP_LIMIT_DIAGNOSIS = "token PUT got no answer while IMDS answers GETs: in a container,"
            + " raise the instance's HttpPutResponseHopLimit to 2";

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
        final long fetchedAtNanos;
        final long renewAtNanos;
        final long useUntilNanos;
        final long expiresAtMillis;
        /** How many times it was handed out: a token rejected at its first use trips the breaker. */
        final AtomicInteger uses = new AtomicInteger();

        Token(String value, long fetchedAtNanos, int ttlSeconds) {
            long ttlNanos = ttlSeconds * 1_000_000_000L;
            this.value = value;
            this.fetchedAtNanos = fetchedAtNanos;
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
        /** Why there is no token, for the callers refused meanwhile: set whenever {@link #retryAfterNanos} is. */
        volatile String unavailableReason;
        /** The breaker's WARN was written: it is written again only after a token has served to its renewal. */
        volatile boolean breakerReported;
        /** The too-short-life WARN was written, once per endpoint. */
        volatile boolean shortLifeReported;
        /** Failed PUTs since the last success: the outage is logged at its first and when it ends. */
        int failedPuts;
        long outageStartNanos;
        /** A PUT timed out, and a tokenless GET was sent to see whether IMDS answers GETs (once per endpoint). */
        boolean hopLimitProbed;
        /** PUTs get no answer while GETs do: the container hop-limit trap. */
        volatile boolean hopLimitSuspected;
        boolean fetching;

        Slot(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        Lease lease(AgentConfig config) {
            long now = System.nanoTime();
            Token token = current;
            if (token != null && now < token.renewAtNanos) {
                return use(token);
            }
            if (token != null && now < token.useUntilNanos) {
                breakerReported = false; // it served to its renewal: IMDS accepts tokens
                if (beginFetch(false, config)) {
                    fetch(config);
                }
                Token renewed = current;
                return use(renewed != null && System.nanoTime() < renewed.useUntilNanos ? renewed : token);
            }
            if (now < retryAfterNanos) {
                return unavailable();
            }
            if (beginFetch(true, config)) {
                fetch(config);
            }
            token = current;
            if (token != null && System.nanoTime() < token.useUntilNanos) {
                return use(token);
            }
            return unavailable();
        }

        private Lease use(Token token) {
            token.uses.incrementAndGet();
            return new Lease(token.value, null);
        }

        private Lease unavailable() {
            String reason = unavailableReason;
            return new Lease(null, "no token: " + (reason == null ? "the last token PUT to " + endpoint + " got no answer" : reason)
                    + "; retrying after " + retryAfterSeconds() + " s");
        }

        /** No token for {@code token.retry-after} seconds from {@code nowNanos}, for {@code reason}. Under this lock. */
        private void holdOff(long nowNanos, String reason, AgentConfig config) {
            current = null;
            unavailableReason = reason;
            retryAfterNanos = nowNanos + config.tokenRetryAfterSeconds() * 1_000_000_000L;
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
            FetchOutcome outcome = result.outcome == FetchOutcome.TIMEOUT && hopLimitSuspected ? FetchOutcome.HOP_LIMIT : result.outcome;
            stats.record(outcome, end - start);
            synchronized (this) {
                Token fetched = result.outcome == FetchOutcome.SUCCESS ? new Token(result.token, start, result.ttlSeconds) : null;
                if (fetched != null && end - fetched.renewAtNanos < 0) {
                    current = fetched;
                    unavailableReason = null;
                    retryAfterNanos = 0;
                    if (failedPuts > 0) {
                        AgentLog.info("token_recovered").with("endpoint", endpoint).with("failed_puts", failedPuts)
                                .log("token PUT to {} succeeded again after {} failed over {} s: tokenless requests are upgraded"
                                        + " again", endpoint, failedPuts, (end - outageStartNanos) / 1_000_000_000L);
                        failedPuts = 0;
                    }
                } else if (fetched != null) {
                    long millis = (end - start) / 1_000_000L;
                    holdOff(end, "the token PUT to " + endpoint + " took " + millis + " ms, more than half the token's "
                            + result.ttlSeconds + " s life", config);
                    if (!shortLifeReported) {
                        shortLifeReported = true;
                        AgentLog.warn("token_too_short_lived").with("endpoint", endpoint).with("put_millis", millis)
                                .log("token PUT to {} took {} ms, more than half of the {} s the token lives (counted from the"
                                                + " PUT's start): too short to use, and renewing it would cost a PUT on every call."
                                                + " Tokenless requests go out as they are for {} s at a time; raise imdsv2.token.ttl",
                                        endpoint, millis, result.ttlSeconds, config.tokenRetryAfterSeconds());
                    }
                } else {
                    holdOff(end, "the last token PUT to " + endpoint + " ended with " + outcome.tag(), config);
                    if (failedPuts++ == 0) {
                        outageStartNanos = end;
                        AgentLog.warn("token_outage").with("endpoint", endpoint).with("outcome", outcome.tag())
                                .log("token PUT to {} failed ({}); tokenless requests go out as they are, and one PUT tries"
                                        + " again every {} s (said once for this outage; a line follows when it ends)",
                                        endpoint, outcome.tag(), config.tokenRetryAfterSeconds());
                    } else {
                        AgentLog.debug("token_outage").with("endpoint", endpoint).with("outcome", outcome.tag())
                                .with("failed_puts", failedPuts).log("token PUT to {} failed again ({}), {} in a row",
                                        endpoint, outcome.tag(), failedPuts);
                    }
                    if (result.outcome == FetchOutcome.TIMEOUT && !hopLimitProbed) {
                        hopLimitProbed = true;
                        probeGetsInBackground(config.tokenTimeoutMillis());
                    }
                }
                fetching = false;
                notifyAll();
            }
        }

        /**
         * A PUT timed out. If a tokenless GET to the same endpoint is answered, PUT answers are being lost on their
         * way back: in a container, the instance's {@code HttpPutResponseHopLimit} of 1 drops them one hop short (IMDS
         * sends PUT answers with that IP TTL, and GET answers without). Said once, on a thread of its own, so that no
         * request waits for the probe; from then on such PUTs count as {@link FetchOutcome#HOP_LIMIT}.
         */
        private void probeGetsInBackground(final int timeoutMillis) {
            Thread probe = new Thread(new Runnable() {
                @Override
                public void run() {
                    try {
                        if (TokenFetcher.answersGets(endpoint, timeoutMillis)) {
                            hopLimitSuspected = true;
                            AgentLog.warn("hop_limit").with("endpoint", endpoint).log(HOP_LIMIT_DIAGNOSIS + " (IMDS at {})", endpoint);
                        }
                    } catch (Throwable t) {
                        AgentLog.internalFailure("hop-limit probe", t);
                    }
                }
            }, "imdsv2-agent-hop-limit-probe");
            probe.setDaemon(true);
            probe.start();
        }

        synchronized void invalidate(String token, AgentConfig config) {
            Token now = current;
            if (now == null || !now.value.equals(token)) {
                return; // an older token, replaced already
            }
            if (now.uses.get() > 1 || System.nanoTime() - now.fetchedAtNanos > JUST_ISSUED_NANOS) {
                current = null; // it served: IMDS restarted or expired it early; the next caller fetches a new one
                return;
            }
            holdOff(System.nanoTime(), "IMDS at " + endpoint + " rejected the token it had just issued", config);
            if (!breakerReported) {
                breakerReported = true;
                AgentLog.warn("token_rejected_at_once").with("endpoint", endpoint)
                        .log("IMDS at {} answered 401 to the first request carrying the token it had just issued (an IMDS,"
                                + " emulator or proxy that accepts only IMDSv1?): tokenless requests go out as they are for {} s"
                                + " at a time, with one token PUT each time to see whether it has changed", endpoint,
                        config.tokenRetryAfterSeconds());
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
        slot(endpoint).invalidate(token, config);
    }

    /** The hop-limit diagnosis when it holds for some endpoint, else null. */
    public String diagnosis() {
        for (Slot slot : slots.values()) {
            if (slot.hopLimitSuspected) {
                return HOP_LIMIT_DIAGNOSIS;
            }
        }
        return null;
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
