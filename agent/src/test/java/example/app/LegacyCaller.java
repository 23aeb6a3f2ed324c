package example.app;

import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;

/** Application code, as the agent sees it: a class outside the agent and the HTTP clients, so it is the call site. */
public final class LegacyCaller {
    private LegacyCaller() {
    }

    public static Decision send(DecisionPath decisions, ImdsRequest request) {
        return decisions.decide(request);
    }
}
