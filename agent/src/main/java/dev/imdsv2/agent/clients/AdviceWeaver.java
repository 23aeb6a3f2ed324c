package dev.imdsv2.agent.clients;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Puts calls to advice methods ({@link Hook}) into the methods of one class file, with plain ASM: the enter advice
 * first in the method, the exit advice before each return (and, when it runs on a throwable too, in a handler
 * around the whole method). The calls take their values from the method's own arguments, {@code this} and fields,
 * straight from where they are, and no local variable is added: the only stack map frames written are at the
 * method's start, where its state is that of its descriptor, and at a handler that keeps nothing.
 */
final class AdviceWeaver {

    /** One advice of a client: the methods of the class it goes into. */
    static final class Point {
        final MethodMatcher methods;
        final AdviceClass advice;

        Point(MethodMatcher methods, AdviceClass advice) {
            this.methods = methods;
            this.advice = advice;
        }
    }

    /** The changed class file, and the advice classes it calls. */
    static final class Woven {
        final byte[] classfile;
        final Set<AdviceClass> advice;

        Woven(byte[] classfile, Set<AdviceClass> advice) {
            this.classfile = classfile;
            this.advice = advice;
        }
    }

    private AdviceWeaver() {
    }

    /** The class with its advice woven in, or null when none of its methods is advised. */
    static Woven weave(byte[] classfile, List<Point> points) {
        ClassReader reader = new ClassReader(classfile);
        final List<MethodMatcher.Method> methods = new ArrayList<MethodMatcher.Method>();
        final Map<String, FieldInfo> fields = new HashMap<String, FieldInfo>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                fields.put(name, new FieldInfo(descriptor, (access & Opcodes.ACC_STATIC) != 0));
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                methods.add(new MethodMatcher.Method(access, name, descriptor, methods));
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);

        final Map<String, AdviceClass> advised = new HashMap<String, AdviceClass>();
        Set<AdviceClass> used = new LinkedHashSet<AdviceClass>();
        for (MethodMatcher.Method method : methods) {
            if (!advisable(method)) {
                continue;
            }
            for (Point point : points) {
                if (point.methods.matches(method)) {
                    if (advised.put(method.name + method.descriptor, point.advice) != null) {
                        throw new IllegalStateException("two advice classes for " + method.name + method.descriptor);
                    }
                    used.add(point.advice);
                }
            }
        }
        if (advised.isEmpty()) {
            return null;
        }
        final String owner = reader.getClassName();
        final boolean frames = (readClassVersion(classfile) & 0xFFFF) >= Opcodes.V1_6;
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                AdviceClass advice = advised.get(name + descriptor);
                return advice == null ? next
                        : new AdvisedMethod(next, owner, access, descriptor, fields, advice, frames);
            }
        }, ClassReader.EXPAND_FRAMES);
        return new Woven(writer.toByteArray(), used);
    }

    private static int readClassVersion(byte[] classfile) {
        return ((classfile[6] & 0xFF) << 8) | (classfile[7] & 0xFF);
    }

    /** Code that may take advice: no constructors or initialisers, no bridges and other synthetic methods but lambda bodies. */
    private static boolean advisable(MethodMatcher.Method method) {
        if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || method.name.startsWith("<")) {
            return false;
        }
        return (method.access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) == 0 || method.name.startsWith("lambda$");
    }

    private static final class FieldInfo {
        final String descriptor;
        final boolean isStatic;

        FieldInfo(String descriptor, boolean isStatic) {
            this.descriptor = descriptor;
            this.isStatic = isStatic;
        }
    }

    /** Weaves the calls into one method, as its code streams through. */
    private static final class AdvisedMethod extends MethodVisitor {
        private final String owner;
        private final boolean isStatic;
        private final Type[] arguments;
        private final Type returnType;
        private final Map<String, FieldInfo> fields;
        private final AdviceClass advice;
        private final boolean frames;
        private boolean entered;
        private Label tryStart;
        private Label handler;

        AdvisedMethod(MethodVisitor next, String owner, int access, String descriptor, Map<String, FieldInfo> fields,
                      AdviceClass advice, boolean frames) {
            super(Opcodes.ASM9, next);
            this.owner = owner;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.arguments = Type.getArgumentTypes(descriptor);
            this.returnType = Type.getReturnType(descriptor);
            this.fields = fields;
            this.advice = advice;
            this.frames = frames;
            check(advice.enter);
            check(advice.exit);
            if (advice.exit != null && advice.exit.takesReturn()
                    && !assignable(returnType, advice.exit.parameters[0].type)) {
                throw new IllegalStateException(advice.exit + " takes a " + advice.exit.parameters[0].type.getClassName()
                        + " for a method returning " + returnType.getClassName());
            }
            if (advice.enter != null && advice.enter.assigns >= 0 && (advice.enter.assigns >= arguments.length
                    || !assignable(advice.enter.returnType, arguments[advice.enter.assigns]))) {
                throw new IllegalStateException(advice.enter + " cannot assign argument " + advice.enter.assigns);
            }
        }

        /** Every value the advice method asks for is there, of a type that fits. */
        private void check(AdviceClass.Method method) {
            if (method == null) {
                return;
            }
            for (AdviceClass.Parameter p : method.parameters) {
                Type given;
                switch (p.source) {
                    case THIS:
                        if (isStatic) {
                            throw new IllegalStateException(method + " takes @This of a static method");
                        }
                        given = Type.getObjectType(owner);
                        break;
                    case ARGUMENT:
                        if (p.argument >= arguments.length) {
                            if (p.optional) {
                                continue;
                            }
                            throw new IllegalStateException(method + " takes argument " + p.argument + " of a method with "
                                    + arguments.length);
                        }
                        given = arguments[p.argument];
                        break;
                    case FIELD:
                        FieldInfo field = fields.get(p.field);
                        if (field == null || (!field.isStatic && isStatic)) {
                            throw new IllegalStateException(method + " takes field " + p.field + ", which " + owner + " lacks");
                        }
                        given = Type.getType(field.descriptor);
                        break;
                    default:
                        continue;
                }
                if (!assignable(given, p.type)) {
                    throw new IllegalStateException(method + " takes a " + p.type.getClassName() + " for a "
                            + given.getClassName());
                }
            }
        }

        /**
         * Primitives must match; a reference goes to any reference parameter, with a cast that the advice's own
         * declaration makes right (the advice names a supertype of what is given).
         */
        private static boolean assignable(Type given, Type to) {
            boolean givenReference = given.getSort() == Type.OBJECT || given.getSort() == Type.ARRAY;
            boolean toReference = to.getSort() == Type.OBJECT || to.getSort() == Type.ARRAY;
            return givenReference ? toReference : given.equals(to);
        }

        private void enter() {
            if (entered) {
                return;
            }
            entered = true;
            AdviceClass.Method enter = advice.enter;
            if (enter != null) {
                push(enter, false);
                call(enter);
                if (enter.assigns >= 0) {
                    Type argument = arguments[enter.assigns];
                    cast(enter.returnType, argument);
                    super.visitVarInsn(argument.getOpcode(Opcodes.ISTORE), slot(enter.assigns));
                } else if (enter.skipOn) {
                    Label proceed = new Label();
                    super.visitJumpInsn(Opcodes.IFEQ, proceed);
                    if (returnType.getSort() != Type.VOID) {
                        pushDefault(returnType);
                    }
                    exit();
                    super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
                    super.visitLabel(proceed);
                    if (frames) {
                        Object[] locals = startLocals();
                        super.visitFrame(Opcodes.F_NEW, locals.length, locals, 0, new Object[0]);
                    }
                    super.visitInsn(Opcodes.NOP); // the method's own first frame, if any, must not share this offset
                }
            }
            if (advice.exit != null && advice.exit.onThrowable) {
                tryStart = new Label();
                handler = new Label();
                // Visited after the method's own handlers, so that they come first in the exception table.
                super.visitTryCatchBlock(tryStart, handler, handler, "java/lang/Throwable");
                super.visitLabel(tryStart);
            }
        }

        /** Calls the exit advice; the method's result, when the advice takes it, is on the stack already. */
        private void exit() {
            AdviceClass.Method exit = advice.exit;
            if (exit == null) {
                return;
            }
            if (exit.takesReturn()) {
                cast(returnType, exit.parameters[0].type);
            }
            push(exit, exit.takesReturn());
            call(exit);
            if (exit.takesReturn()) {
                cast(exit.returnType, returnType);
            }
        }

        private void push(AdviceClass.Method method, boolean skipFirst) {
            for (int i = skipFirst ? 1 : 0; i < method.parameters.length; i++) {
                AdviceClass.Parameter p = method.parameters[i];
                Type given;
                switch (p.source) {
                    case THIS:
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        given = Type.getObjectType(owner);
                        break;
                    case ARGUMENT:
                        if (p.argument >= arguments.length) {
                            pushDefault(p.type);
                            continue;
                        }
                        given = arguments[p.argument];
                        super.visitVarInsn(given.getOpcode(Opcodes.ILOAD), slot(p.argument));
                        break;
                    case FIELD:
                        FieldInfo field = fields.get(p.field);
                        if (!field.isStatic) {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                        }
                        super.visitFieldInsn(field.isStatic ? Opcodes.GETSTATIC : Opcodes.GETFIELD, owner, p.field, field.descriptor);
                        given = Type.getType(field.descriptor);
                        break;
                    default: // RETURN, only ever first: a default where the method returned nothing yet (skipped)
                        pushDefault(p.type);
                        continue;
                }
                cast(given, p.type);
            }
        }

        private void call(AdviceClass.Method method) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, method.owner, method.name, method.descriptor, false);
        }

        /** A cast where a reference of one declared type goes on as another; none to Object or to the same type. */
        private void cast(Type from, Type to) {
            if (to.getSort() == Type.OBJECT || to.getSort() == Type.ARRAY) {
                if (!from.equals(to) && !to.getInternalName().equals("java/lang/Object")) {
                    super.visitTypeInsn(Opcodes.CHECKCAST, to.getInternalName());
                }
            }
        }

        private void pushDefault(Type type) {
            switch (type.getSort()) {
                case Type.VOID:
                    return;
                case Type.LONG:
                    super.visitInsn(Opcodes.LCONST_0);
                    return;
                case Type.FLOAT:
                    super.visitInsn(Opcodes.FCONST_0);
                    return;
                case Type.DOUBLE:
                    super.visitInsn(Opcodes.DCONST_0);
                    return;
                case Type.OBJECT:
                case Type.ARRAY:
                    super.visitInsn(Opcodes.ACONST_NULL);
                    return;
                default:
                    super.visitInsn(Opcodes.ICONST_0);
            }
        }

        private int slot(int argument) {
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < argument; i++) {
                slot += arguments[i].getSize();
            }
            return slot;
        }

        /** The local variables at the method's start, in the form of an expanded frame. */
        private Object[] startLocals() {
            List<Object> locals = new ArrayList<Object>();
            if (!isStatic) {
                locals.add(owner);
            }
            for (Type argument : arguments) {
                switch (argument.getSort()) {
                    case Type.BOOLEAN:
                    case Type.BYTE:
                    case Type.CHAR:
                    case Type.SHORT:
                    case Type.INT:
                        locals.add(Opcodes.INTEGER);
                        break;
                    case Type.LONG:
                        locals.add(Opcodes.LONG);
                        break;
                    case Type.FLOAT:
                        locals.add(Opcodes.FLOAT);
                        break;
                    case Type.DOUBLE:
                        locals.add(Opcodes.DOUBLE);
                        break;
                    case Type.ARRAY:
                        locals.add(argument.getDescriptor());
                        break;
                    default:
                        locals.add(argument.getInternalName());
                }
            }
            return locals.toArray();
        }

        @Override
        public void visitInsn(int opcode) {
            enter();
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                exit();
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (handler != null) {
                super.visitLabel(handler);
                if (frames) {
                    super.visitFrame(Opcodes.F_NEW, 0, new Object[0], 1, new Object[] {"java/lang/Throwable"});
                }
                call(advice.exit);
                super.visitInsn(Opcodes.ATHROW);
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            enter();
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            enter();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            enter();
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            enter();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String fieldOwner, String name, String descriptor) {
            enter();
            super.visitFieldInsn(opcode, fieldOwner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String methodOwner, String name, String descriptor, boolean isInterface) {
            enter();
            super.visitMethodInsn(opcode, methodOwner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            enter();
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            enter();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLabel(Label label) {
            enter();
            super.visitLabel(label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            enter();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            enter();
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            enter();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            enter();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            enter();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }
    }
}
