package dev.imdsv2.agent.clients;

import java.util.List;

import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Which methods of a client class get an advice, told from what the class file says of each: its name, its
 * descriptor's types (by name, so nothing is loaded), whether it is static, and the other methods of its class.
 */
public final class MethodMatcher {

    /** One method of the class being changed, as its class file declares it. */
    static final class Method {
        final int access;
        final String name;
        final String descriptor;
        /** Every method of the class, this one included. */
        final List<Method> ofClass;

        Method(int access, String name, String descriptor, List<Method> ofClass) {
            this.access = access;
            this.name = name;
            this.descriptor = descriptor;
            this.ofClass = ofClass;
        }

        boolean isStatic() {
            return (access & Opcodes.ACC_STATIC) != 0;
        }

        Type[] arguments() {
            return Type.getArgumentTypes(descriptor);
        }
    }

    /*
     * One class for every kind of test rather than a class per kind: each class the agent loads costs the JVM a
     * search of the whole class path first (on Java 8 that allocates the class's name anew for every jar on it).
     */
    private static final int AND = 0;
    private static final int OR = 1;
    private static final int NAMED = 2;
    private static final int ARGUMENT_COUNT = 3;
    private static final int ARGUMENT_TYPE = 4;
    private static final int RETURN_TYPE = 5;
    private static final int STATIC = 6;
    private static final int IN_CLASS_WITHOUT = 7;

    private final int test;
    /** The name of {@link #NAMED}, the type name of {@link #ARGUMENT_TYPE} and {@link #RETURN_TYPE}. */
    private final String name;
    /** The count of {@link #ARGUMENT_COUNT}, the index of {@link #ARGUMENT_TYPE}. */
    private final int number;
    /** The operands of {@link #AND} and {@link #OR}; {@link #IN_CLASS_WITHOUT}'s matcher is {@code left}. */
    private final MethodMatcher left;
    private final MethodMatcher right;

    private MethodMatcher(int test, String name, int number, MethodMatcher left, MethodMatcher right) {
        this.test = test;
        this.name = name;
        this.number = number;
        this.left = left;
        this.right = right;
    }

    boolean matches(Method method) {
        switch (test) {
            case AND:
                return left.matches(method) && right.matches(method);
            case OR:
                return left.matches(method) || right.matches(method);
            case NAMED:
                return method.name.equals(name);
            case ARGUMENT_COUNT:
                return method.arguments().length == number;
            case ARGUMENT_TYPE:
                Type[] arguments = method.arguments();
                return number < arguments.length && arguments[number].getClassName().equals(name);
            case RETURN_TYPE:
                return Type.getReturnType(method.descriptor).getClassName().equals(name);
            case STATIC:
                return method.isStatic();
            case IN_CLASS_WITHOUT:
                for (Method sibling : method.ofClass) {
                    if (left.matches(sibling)) {
                        return false;
                    }
                }
                return true;
            default:
                throw new IllegalStateException("unknown test " + test);
        }
    }

    public MethodMatcher and(MethodMatcher other) {
        return new MethodMatcher(AND, null, 0, this, other);
    }

    public MethodMatcher or(MethodMatcher other) {
        return new MethodMatcher(OR, null, 0, this, other);
    }

    public static MethodMatcher named(String name) {
        return new MethodMatcher(NAMED, name, 0, null, null);
    }

    public static MethodMatcher takesArguments(int count) {
        return new MethodMatcher(ARGUMENT_COUNT, null, count, null, null);
    }

    /** The argument at {@code index} is declared as the type of that name ({@code a.b.C}, {@code a.b.C$Inner}). */
    public static MethodMatcher takesArgument(int index, String typeName) {
        return new MethodMatcher(ARGUMENT_TYPE, typeName, index, null, null);
    }

    public static MethodMatcher returns(String typeName) {
        return new MethodMatcher(RETURN_TYPE, typeName, 0, null, null);
    }

    public static MethodMatcher isStatic() {
        return new MethodMatcher(STATIC, null, 0, null, null);
    }

    /** The method's class declares no method that {@code other} matches. */
    public static MethodMatcher inClassWithout(MethodMatcher other) {
        return new MethodMatcher(IN_CLASS_WITHOUT, null, 0, other, null);
    }
}
