package dev.imdsv2.agent.clients;

import net.bytebuddy.asm.Advice;

/** An advice that fails, as a slip in any client's advice would: it must be counted and logged, never lost. */
public final class FailingAdvice {
    private FailingAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
        throw new IllegalStateException("an advice failed");
    }
}
