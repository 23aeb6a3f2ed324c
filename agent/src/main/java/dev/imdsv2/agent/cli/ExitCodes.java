package dev.imdsv2.agent.cli;

/** What a script can rely on; listed in README.md. */
final class ExitCodes {
    /** Done; for {@code status}: READY, no tokenless request has reached IMDS in the current phase. */
    static final int OK = 0;
    /** {@code status}: tokenless requests have reached IMDS in the current phase; it is not safe to require tokens. */
    static final int V1_REACHES_IMDS = 1;
    /** The command line was wrong. */
    static final int USAGE = 2;
    /** The JVM could not be reached: no such pid, another user's, attach disabled, too old, no attach API. */
    static final int CANNOT_ATTACH = 3;
    /** The JVM was reached, but the agent is not in it, did not load, or is off, so there is no verdict. */
    static final int NO_AGENT = 4;
    /** {@code status}: nothing to judge yet, no IMDS request in the current phase and {@code imdsv2.ready.after} not over. */
    static final int NOT_YET = 5;

    private ExitCodes() {
    }
}
