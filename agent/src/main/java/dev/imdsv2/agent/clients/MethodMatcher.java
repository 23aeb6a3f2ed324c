package dev.imdsv2.agent.clients;

import java.util.List;

import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Which methods of a client class get an advice, told from what the class file says of each: its name, its
 * descriptor's types (by name, so nothing is loaded), whether it is static, and the other methods of its class.
 */
public abstract class MethodMatcher {

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

    abstract boolean matches(Method method);

    public final MethodMatcher and(final MethodMatcher other) {
        final MethodMatcher self = this;
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                return self.matches(method) && other.matches(method);
            }
        };
    }

    public final MethodMatcher or(final MethodMatcher other) {
        final MethodMatcher self = this;
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                return self.matches(method) || other.matches(method);
            }
        };
    }

    public static MethodMatcher named(final String name) {
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                return method.name.equals(name);
            }
        };
    }

    public static MethodMatcher takesArguments(final int count) {
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                return method.arguments().length == count;
            }
        };
    }

    /** The argument at {@code index} is declared as the type of that name ({@code a.b.C}, {@code a.b.C$Inner}). */
    public static MethodMatcher takesArgument(final int index, final String typeName) {
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                Type[] arguments = method.arguments();
                return index < arguments.length && arguments[index].getClassName().equals(typeName);
            }
        };
    }

    public static MethodMatcher returns(final String typeName) {
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                return Type.getReturnType(method.descriptor).getClassName().equals(typeName);
            }
        };
    }

    public static MethodMatcher isStatic() {
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                return method.isStatic();
            }
        };
    }

    /** The method's class declares no method that {@code other} matches. */
    public static MethodMatcher inClassWithout(final MethodMatcher other) {
        return new MethodMatcher() {
            @Override
            boolean matches(Method method) {
                for (Method sibling : method.ofClass) {
                    if (other.matches(sibling)) {
                        return false;
                    }
                }
                return true;
            }
        };
    }
}
