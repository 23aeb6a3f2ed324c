package dev.imdsv2.agent.socket;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The bytecode changes for the socket-level catch-all, done with the ASM that Byte Buddy bundles (no
 * {@code AgentBuilder}: {@code java.net.Socket} is a JDK class that most JVMs load). Only calls are added,
 * no field or method, so the classes can also be retransformed after they loaded.
 * <ul>
 *   <li>{@code java.net.Socket.connect(SocketAddress, int)}, at the start: every {@code Socket} connect goes
 *       through it ({@code connect(SocketAddress)} and the connecting constructors call it; since Java 13 it
 *       hands over to {@code NioSocketImpl}, below this point). {@code getOutputStream()}, before each return:
 *       where the request head of a socket to IMDS can be rewritten. Both exist unchanged from Java 8 to 25.</li>
 *   <li>{@code sun.nio.ch.SocketChannelImpl.beginConnect(boolean, SocketAddress)}, at the start: the one
 *       private step that {@code SocketChannel.connect} and the channel's socket adaptor
 *       ({@code channel.socket().connect}) share, with the checked remote address (Java 11 to 25). Java 8's
 *       class has no such method: there {@code connect(SocketAddress)} is patched instead, which its socket
 *       adaptor calls too.</li>
 * </ul>
 * A class without every expected method is left untouched.
 */
final class SocketPatches {
    static final String SOCKET = "java/net/Socket";
    static final String SOCKET_CHANNEL = "sun/nio/ch/SocketChannelImpl";
    static final String HOOK = "sun/nio/ch/Imdsv2SocketHook";
    private static final String BEFORE_CONNECT = "(Ljava/lang/Object;Ljava/lang/Object;)V";

    private SocketPatches() {
    }

    /** The patched {@code java.net.Socket}, or null when its shape is unknown. */
    static byte[] patchSocket(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        final boolean[] patched = new boolean[2];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    return mv;
                }
                if ("connect".equals(name) && "(Ljava/net/SocketAddress;I)V".equals(descriptor)) {
                    patched[0] = true;
                    return new BeforeConnect(mv);
                }
                if ("getOutputStream".equals(name) && "()Ljava/io/OutputStream;".equals(descriptor)) {
                    patched[1] = true;
                    return new MethodVisitor(Opcodes.ASM9, mv) {
                        @Override
                        public void visitInsn(int opcode) {
                            if (opcode == Opcodes.ARETURN) {
                                // stack: stream -> stream, this -> this, stream -> hook's stream
                                super.visitVarInsn(Opcodes.ALOAD, 0);
                                super.visitInsn(Opcodes.SWAP);
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "afterGetOutputStream",
                                        "(Ljava/lang/Object;Ljava/io/OutputStream;)Ljava/io/OutputStream;", false);
                            }
                            super.visitInsn(opcode);
                        }
                    };
                }
                return mv;
            }
        }, 0);
        return patched[0] && patched[1] ? writer.toByteArray() : null;
    }

    /** The patched {@code sun.nio.ch.SocketChannelImpl}, or null when its shape is unknown. */
    static byte[] patchSocketChannel(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        final boolean java8 = !hasBeginConnect(reader);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        final boolean[] patched = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    return mv;
                }
                if (java8 && "connect".equals(name) && JAVA8_CONNECT.equals(descriptor)) {
                    patched[0] = true;
                    return new BeforeConnect(mv);
                }
                if (isBeginConnect(name, descriptor)) {
                    patched[0] = true;
                    return new BeforeConnect(mv) {
                        @Override
                        void loadAddress() {
                            visitVarInsn(Opcodes.ALOAD, 2);
                        }
                    };
                }
                return mv;
            }
        }, 0);
        return patched[0] ? writer.toByteArray() : null;
    }

    /** {@code SocketChannelImpl.connect(SocketAddress)}: where Java 8's channel and its socket adaptor connect. */
    private static final String JAVA8_CONNECT = "(Ljava/net/SocketAddress;)Z";

    /** Java 16+ takes a SocketAddress (Unix domain sockets came then), 11 to 15 an InetSocketAddress. */
    private static boolean isBeginConnect(String name, String descriptor) {
        return "beginConnect".equals(name)
                && ("(ZLjava/net/SocketAddress;)V".equals(descriptor) || "(ZLjava/net/InetSocketAddress;)V".equals(descriptor));
    }

    /** A first, code-skipping pass: {@code connect(SocketAddress)} comes before {@code beginConnect} in the class file. */
    private static boolean hasBeginConnect(ClassReader reader) {
        final boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if ((access & Opcodes.ACC_STATIC) == 0 && isBeginConnect(name, descriptor)) {
                    found[0] = true;
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }

    /** Emits {@code Imdsv2SocketHook.beforeConnect(this, <address argument>)} as the method's first instructions. */
    private static class BeforeConnect extends MethodVisitor {
        BeforeConnect(MethodVisitor next) {
            super(Opcodes.ASM9, next);
        }

        /** {@code Socket.connect(SocketAddress, int)}: the first argument. */
        void loadAddress() {
            visitVarInsn(Opcodes.ALOAD, 1);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            visitVarInsn(Opcodes.ALOAD, 0);
            loadAddress();
            visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeConnect", BEFORE_CONNECT, false);
        }
    }
}
