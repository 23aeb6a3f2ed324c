package dev.imdsv2.agent.cli;

/**
 * The readiness of one JVM for {@code HttpTokens=required}, as {@code status} gives it: the agent's own verdict
 * (README.md, "Readiness"), or why there is none. Only {@link #READY} counts as ready: a JVM without the agent, with
 * the agent off, or that cannot be read may well make tokenless requests nobody sees.
 */
enum Verdict {
    READY("READY", ExitCodes.OK),
    NOT_READY("NOT READY", ExitCodes.V1_REACHES_IMDS),
    /** No IMDS request in the agent's current phase, and {@code imdsv2.ready.after} not over. */
    WAITING("NOT READY YET", ExitCodes.NOT_YET),
    /** The agent is there but off: it sees nothing. */
    OFF("UNKNOWN", ExitCodes.NO_AGENT),
    NO_AGENT("NO AGENT", ExitCodes.NO_AGENT),
    UNREACHABLE("UNREACHABLE", ExitCodes.CANNOT_ATTACH);

    /** How the text output says it. */
    final String label;
    /** The exit code of {@code status} for a JVM with this verdict. */
    final int exitCode;

    Verdict(String label, int exitCode) {
        this.label = label;
        this.exitCode = exitCode;
    }

    /** The agent's {@code Readiness} attribute; an unknown state is no verdict, as OFF is. */
    static Verdict of(AgentStatus agent) {
        for (Verdict v : new Verdict[] {READY, NOT_READY, WAITING}) {
            if (v.name().equals(agent.readiness)) {
                return v;
            }
        }
        return OFF;
    }
}
