package dev.imdsv2.agent.clients;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The annotations of a client's advice class: which of its static methods run where in the client's method, and
 * what each of their parameters is given. An advice class has at most one {@link OnEnter} and one {@link OnExit}
 * method; {@link AdviceWeaver} puts a call to each into the client's method, and the class itself is defined into
 * the client's class loader ({@link AdviceClasses}), so that it links against the client's own types.
 *
 * <p>The advice is called, not copied into the client's method: it gets values and gives one back, it cannot
 * assign the client's variables. Nothing may escape an advice method but what it means the client's method to
 * throw (the {@code IOException} of a hop that enforce mode blocks, the failure of a re-send): each catches
 * everything else and hands it to {@link ImdsHops#adviceFailed}, so that the client's method goes on.
 */
public final class Hook {
    private Hook() {
    }

    /**
     * Called first in the client's method. Returns nothing; or, with {@link #assigns}, the new value of that
     * argument; or, with {@link #skipOn}, {@code true} to return from the method at once (the exit advice still
     * runs; a method with a result returns its type's default).
     */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.METHOD)
    public @interface OnEnter {
        /** The index of the argument that the advice's result replaces; -1 for none. */
        int assigns() default -1;

        /** The advice returns {@code boolean}: {@code true} skips the method's own code. */
        boolean skipOn() default false;
    }

    /**
     * Called where the client's method returns. Takes the result as its {@link Return} parameter, which must come
     * first, and returns what the method is to return instead; or takes none and returns nothing. With
     * {@link #onThrowable} it also runs when the method throws (the throwable goes on afterwards), and then it takes
     * no parameters: nothing of the method's state is known to be there at that point.
     */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.METHOD)
    public @interface OnExit {
        boolean onThrowable() default false;
    }

    /** The instance the client's method runs on. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    public @interface This {
    }

    /** An argument of the client's method, by index; an optional one the method lacks is given as null (or 0). */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    public @interface Argument {
        int value();

        boolean optional() default false;
    }

    /** A field of the class being changed, by name, read when the advice is called. */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    public @interface Field {
        String value();
    }

    /** The result the client's method is returning (exit advice only, first parameter). */
    @Retention(RetentionPolicy.CLASS)
    @Target(ElementType.PARAMETER)
    public @interface Return {
    }
}
