package dev.imdsv2.agent.report;

import java.util.concurrent.atomic.AtomicLong;

import dev.imdsv2.agent.log.Formats;

/**
 * The one answer to "may this JVM's instance require tokens?", which {@code status}, JMX, the call-site report and
 * the {@code imdsv2.ready} gauge all give (README.md, "Readiness").
 *
 * <p>The verdict is about the current <em>phase</em>: the requests since the agent started or its mode last changed
 * (at run time over JMX, or by a re-attach that sets another mode). An operator who switches observe to upgrade wants
 * to know whether upgrade holds, not what observe let through before it; that history stays in the counters and the
 * call sites. In one phase:
 * <ul>
 *   <li>NOT_READY once a tokenless request has reached IMDS as such (v1, passed). Blocked requests never reached
 *       IMDS and do not count.</li>
 *   <li>READY when none has, and either an IMDS request was seen (the application's IMDS use is known to work
 *       with tokens) or {@code imdsv2.ready.after} has passed without any (an application that does not use IMDS).</li>
 *   <li>WAITING before that: nothing to judge yet.</li>
 *   <li>OFF when the agent is off: it sees nothing, so it says nothing.</li>
 * </ul>
 * A request decided just before a mode change may be counted in the new phase: the verdict errs towards not ready.
 */
public final class Readiness {
    public enum State {
        READY, NOT_READY, WAITING, OFF
    }

    /** One phase's counts, replaced whole when the mode changes, so that every request counts in exactly one phase. */
    private static final class Phase {
        final String mode;
        final long startMillis;
        final AtomicLong imdsRequests = new AtomicLong();
        final AtomicLong v1ReachingImds = new AtomicLong();
        /** The latest tokenless request that reached IMDS whose call site is known; guarded by the phase. */
        long lastReachingMillis;
        String lastReachingSite;

        Phase(String mode, long startMillis) {
            this.mode = mode;
            this.startMillis = startMillis;
        }
    }

    /** What the outputs show, read at one moment. */
    public static final class View {
        public final State state;
        public final String mode;
        public final long phaseStartMillis;
        public final long imdsRequests;
        public final long v1ReachingImds;
        /** 0 when no tokenless request of this phase reached IMDS, or its call site is not read yet. */
        public final long lastReachingMillis;
        public final String lastReachingSite;
        /** When a WAITING phase without requests turns READY. */
        public final long readyAfterMillis;

        View(State state, Phase phase, long imdsRequests, long v1ReachingImds, long lastMillis, String lastSite,
             long readyAfterMillis) {
            this.state = state;
            this.mode = phase.mode;
            this.phaseStartMillis = phase.startMillis;
            this.imdsRequests = imdsRequests;
            this.v1ReachingImds = v1ReachingImds;
            this.lastReachingMillis = lastMillis;
            this.lastReachingSite = lastSite;
            this.readyAfterMillis = readyAfterMillis;
        }

        public boolean ready() {
            return state == State.READY;
        }

        /** One sentence, the same in {@code status}, the report and JMX. */
        public String verdict() {
            switch (state) {
                case READY:
                    return "ready: no tokenless request has reached IMDS since " + Formats.timestamp(phaseStartMillis)
                            + " (mode " + mode + ")" + (imdsRequests == 0
                            ? "; no IMDS request at all since then"
                            : "; " + imdsRequests + " IMDS request" + (imdsRequests == 1 ? "" : "s") + " since then");
                case NOT_READY:
                    return "not ready: " + v1ReachingImds + " tokenless request" + (v1ReachingImds == 1 ? "" : "s")
                            + " reached IMDS since " + Formats.timestamp(phaseStartMillis) + " (mode " + mode + ")"
                            + (lastReachingSite == null ? "" : "; the last at " + Formats.timestamp(lastReachingMillis)
                            + " from " + lastReachingSite);
                case WAITING:
                    return "not ready yet: no IMDS request since " + Formats.timestamp(phaseStartMillis)
                            + " (mode " + mode + "); ready at " + Formats.timestamp(readyAfterMillis)
                            + " if none comes, or at the first that is not tokenless";
                default:
                    return "unknown: the agent is off and sees nothing";
            }
        }
    }

    private volatile Phase phase;
    private volatile long readyAfterMillis;

    public Readiness(String mode, long readyAfterMillis, long nowMillis) {
        this.phase = new Phase(mode, nowMillis);
        this.readyAfterMillis = readyAfterMillis;
    }

    /** Starts a new phase when {@code mode} is not the current phase's; the same mode set again keeps the phase. */
    public synchronized void modeSet(String mode, long readyAfterMillis, long nowMillis) {
        this.readyAfterMillis = readyAfterMillis;
        if (!phase.mode.equals(mode)) {
            phase = new Phase(mode, nowMillis);
        }
    }

    /** One IMDS request, as {@link RequestCounters} counts it. */
    void counted(String version, Action action) {
        Phase p = phase;
        p.imdsRequests.incrementAndGet();
        if ("v1".equals(version) && action == Action.PASSED) {
            p.v1ReachingImds.incrementAndGet();
        }
    }

    /** The call site of a tokenless request that reached IMDS at {@code atMillis}, once {@link CallSites} has read it. */
    void reachedFrom(String site, long atMillis) {
        Phase p = phase;
        if (atMillis < p.startMillis) {
            return; // a request of the phase before, whose site was read late
        }
        synchronized (p) {
            if (atMillis >= p.lastReachingMillis) {
                p.lastReachingMillis = atMillis;
                p.lastReachingSite = site;
            }
        }
    }

    /** Cheap: no call site is read (the gauges). */
    public State state(long nowMillis) {
        return view(nowMillis).state;
    }

    public long v1ReachingImds() {
        return phase.v1ReachingImds.get();
    }

    public long phaseStartMillis() {
        return phase.startMillis;
    }

    public String mode() {
        return phase.mode;
    }

    /**
     * The verdict now. For the call site of the last tokenless request to be there, read the {@link CallSites}
     * queue first ({@link CallSites#size()}).
     */
    public View view(long nowMillis) {
        Phase p = phase;
        long requests = p.imdsRequests.get();
        long reaching = p.v1ReachingImds.get();
        long lastMillis;
        String lastSite;
        synchronized (p) {
            lastMillis = p.lastReachingMillis;
            lastSite = p.lastReachingSite;
        }
        long readyAt = p.startMillis + readyAfterMillis;
        State state = "off".equals(p.mode) ? State.OFF
                : reaching > 0 ? State.NOT_READY
                : requests > 0 || nowMillis >= readyAt ? State.READY
                : State.WAITING;
        return new View(state, p, requests, reaching, lastMillis, lastSite, readyAt);
    }
}
