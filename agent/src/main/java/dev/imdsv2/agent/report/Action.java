package dev.imdsv2.agent.report;

/** What the agent did with an IMDS request: the {@code action} tag of {@code imdsv2.requests}. */
public enum Action {
    UPGRADED("upgraded"),
    PASSED("passed"),
    BLOCKED("blocked");

    private final String tag;

    Action(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
