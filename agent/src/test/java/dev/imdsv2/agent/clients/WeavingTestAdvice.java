package dev.imdsv2.agent.clients;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The advice classes of {@link AdviceWeaverTest}, one per method of {@code example.app.WovenTarget}. */
public final class WeavingTestAdvice {
    /** What the advice saw, in order. */
    public static final List<String> SEEN = Collections.synchronizedList(new ArrayList<String>());

    private WeavingTestAdvice() {
    }

    /** Replaces an argument from a field, and the result. */
    public static final class Greet {
        private Greet() {
        }

        @Hook.OnEnter(assigns = 0)
        public static String enter(@Hook.Argument(0) String name, @Hook.Field("prefix") String prefix) {
            return prefix + name;
        }

        @Hook.OnExit
        public static String exit(@Hook.Return String greeting, @Hook.This Object target) {
            return greeting + " from " + target.getClass().getSimpleName();
        }
    }

    /** Replaces a primitive result, given a primitive argument. */
    public static final class IsEven {
        private IsEven() {
        }

        @Hook.OnExit
        public static boolean exit(@Hook.Return boolean even, @Hook.Argument(0) int n) {
            SEEN.add("isEven " + n + " " + even);
            return !even;
        }
    }

    /** A static method's two-slot argument, and an optional argument it lacks. */
    public static final class Twice {
        private Twice() {
        }

        @Hook.OnEnter
        public static void enter(@Hook.Argument(0) long x, @Hook.Argument(1) String unit,
                                 @Hook.Argument(value = 4, optional = true) Object missing) {
            SEEN.add("twice " + x + " " + unit + " " + missing);
        }
    }

    /** Skips the method for a negative count; the exit advice sees the default result then. */
    public static final class CountDown {
        private CountDown() {
        }

        @Hook.OnEnter(skipOn = true)
        public static boolean enter(@Hook.Argument(0) int n) {
            return n < 0;
        }

        @Hook.OnExit
        public static int exit(@Hook.Return int result) {
            SEEN.add("countDown " + result);
            return result;
        }
    }

    /** Runs on a throw too, and the throwable goes on. */
    public static final class Fail {
        private Fail() {
        }

        @Hook.OnExit(onThrowable = true)
        public static void exit() {
            SEEN.add("fail exit");
        }
    }

    /** Throws what the method is to throw: the enforce-mode failure of a hop. */
    public static final class Send {
        private Send() {
        }

        @Hook.OnEnter
        public static void enter(@Hook.Argument(0) String what) throws IOException {
            if (what.equals("secret")) {
                throw new IOException("blocked by the advice");
            }
        }
    }
}
