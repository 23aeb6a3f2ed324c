package dev.imdsv2.agent.clients;

/** An advice that fails, as a slip in any client's advice would: it must be counted and logged, never lost. */
public final class FailingAdvice {
    private FailingAdvice() {
    }

    @Hook.OnEnter
    public static void enter(@Hook.This Object target) {
        try {
            if (target != null) {
                throw new IllegalStateException("an advice failed");
            }
        } catch (Throwable t) {
            ImdsHops.adviceFailed(t);
        }
    }
}
