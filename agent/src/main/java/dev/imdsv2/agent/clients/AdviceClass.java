package dev.imdsv2.agent.clients;

import java.util.ArrayList;
import java.util.List;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * An advice class as its class file in the agent jar declares it ({@link Hook}): its enter and exit methods and what
 * each parameter is given. Read with a code-skipping pass of ASM; the class is never loaded by the agent.
 */
final class AdviceClass {
    private static final String HOOK = "Ldev/imdsv2/agent/clients/Hook$";

    /** Where an advice parameter's value comes from. */
    enum Source { THIS, ARGUMENT, FIELD, RETURN }

    /** One parameter of an advice method. */
    static final class Parameter {
        final Type type;
        Source source;
        int argument = -1;
        boolean optional;
        String field;

        Parameter(Type type) {
            this.type = type;
        }
    }

    /** An enter or exit method of the advice class. */
    static final class Method {
        final String owner;
        final String name;
        final String descriptor;
        final Parameter[] parameters;
        final Type returnType;
        int assigns = -1;
        boolean skipOn;
        boolean onThrowable;

        Method(String owner, String name, String descriptor) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            Type[] types = Type.getArgumentTypes(descriptor);
            this.parameters = new Parameter[types.length];
            for (int i = 0; i < types.length; i++) {
                parameters[i] = new Parameter(types[i]);
            }
            this.returnType = Type.getReturnType(descriptor);
        }

        boolean takesReturn() {
            return parameters.length > 0 && parameters[0].source == Source.RETURN;
        }

        /** Size on the operand stack of the values pushed for the call. */
        int stackSize() {
            int size = 0;
            for (Parameter p : parameters) {
                size += p.type.getSize();
            }
            return size;
        }

        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + name;
        }
    }

    final String internalName;
    final byte[] classfile;
    final Method enter;
    final Method exit;

    private AdviceClass(String internalName, byte[] classfile, Method enter, Method exit) {
        this.internalName = internalName;
        this.classfile = classfile;
        this.enter = enter;
        this.exit = exit;
    }

    /** Reads the advice class; throws {@code IllegalStateException} when it breaks the rules of {@link Hook}. */
    static AdviceClass read(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        final String owner = reader.getClassName();
        final List<Method> enters = new ArrayList<Method>();
        final List<Method> exits = new ArrayList<Method>();
        if ((reader.getAccess() & Opcodes.ACC_PUBLIC) == 0) {
            throw new IllegalStateException("advice class " + owner + " is not public");
        }
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(final int access, String name, String descriptor, String signature, String[] exceptions) {
                final Method method = new Method(owner, name, descriptor);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                        boolean isEnter = annotation.equals(HOOK + "OnEnter;");
                        if (!isEnter && !annotation.equals(HOOK + "OnExit;")) {
                            return null;
                        }
                        if ((access & Opcodes.ACC_STATIC) == 0 || (access & Opcodes.ACC_PUBLIC) == 0) {
                            throw new IllegalStateException("advice method " + method + " is not public static");
                        }
                        (isEnter ? enters : exits).add(method);
                        return new AnnotationVisitor(Opcodes.ASM9) {
                            @Override
                            public void visit(String attribute, Object value) {
                                if (attribute.equals("assigns")) {
                                    method.assigns = (Integer) value;
                                } else if (attribute.equals("skipOn")) {
                                    method.skipOn = (Boolean) value;
                                } else if (attribute.equals("onThrowable")) {
                                    method.onThrowable = (Boolean) value;
                                }
                            }
                        };
                    }

                    @Override
                    public AnnotationVisitor visitParameterAnnotation(int index, String annotation, boolean visible) {
                        if (!annotation.startsWith(HOOK) || index >= method.parameters.length) {
                            return null;
                        }
                        final Parameter parameter = method.parameters[index];
                        if (parameter.source != null) {
                            throw new IllegalStateException("parameter " + index + " of " + method + " has two sources");
                        }
                        String kind = annotation.substring(HOOK.length(), annotation.length() - 1);
                        parameter.source = kind.equals("This") ? Source.THIS : kind.equals("Argument") ? Source.ARGUMENT
                                : kind.equals("Field") ? Source.FIELD : kind.equals("Return") ? Source.RETURN : null;
                        return new AnnotationVisitor(Opcodes.ASM9) {
                            @Override
                            public void visit(String attribute, Object value) {
                                if (attribute.equals("optional")) {
                                    parameter.optional = (Boolean) value;
                                } else if (parameter.source == Source.ARGUMENT) {
                                    parameter.argument = (Integer) value;
                                } else if (parameter.source == Source.FIELD) {
                                    parameter.field = (String) value;
                                }
                            }
                        };
                    }
                };
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (enters.size() > 1 || exits.size() > 1 || enters.size() + exits.size() == 0) {
            throw new IllegalStateException("advice class " + owner + " needs one enter and/or one exit method");
        }
        Method enter = enters.isEmpty() ? null : enters.get(0);
        Method exit = exits.isEmpty() ? null : exits.get(0);
        check(enter, exit);
        return new AdviceClass(owner, classfile, enter, exit);
    }

    private static void check(Method enter, Method exit) {
        for (Method method : new Method[] {enter, exit}) {
            if (method == null) {
                continue;
            }
            for (int i = 0; i < method.parameters.length; i++) {
                Parameter p = method.parameters[i];
                if (p.source == null || (p.source == Source.RETURN && (method == enter || i > 0))) {
                    throw new IllegalStateException("parameter " + i + " of " + method
                            + " needs one of @Hook.This, @Hook.Argument, @Hook.Field; @Hook.Return only first, on exit");
                }
            }
        }
        if (enter != null) {
            boolean returnsBoolean = enter.returnType.getSort() == Type.BOOLEAN;
            boolean returnsVoid = enter.returnType.getSort() == Type.VOID;
            if ((enter.skipOn && !returnsBoolean) || (enter.assigns >= 0 && (returnsVoid || enter.skipOn))
                    || (!enter.skipOn && enter.assigns < 0 && !returnsVoid)) {
                throw new IllegalStateException(enter + ": returns boolean with skipOn, the argument with assigns, else nothing");
            }
        }
        if (exit != null) {
            if (exit.onThrowable && exit.parameters.length > 0) {
                throw new IllegalStateException(exit + ": an exit advice on throwable takes no parameters");
            }
            boolean returnsVoid = exit.returnType.getSort() == Type.VOID;
            if (exit.takesReturn() ? !exit.returnType.equals(exit.parameters[0].type) : !returnsVoid) {
                throw new IllegalStateException(exit + ": returns the type of its @Hook.Return parameter, or nothing without one");
            }
        }
    }
}
