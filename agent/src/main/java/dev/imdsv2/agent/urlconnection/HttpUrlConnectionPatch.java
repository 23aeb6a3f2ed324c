package dev.imdsv2.agent.urlconnection;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The bytecode change to {@code sun.net.www.protocol.http.HttpURLConnection}, done with the ASM that
 * Byte Buddy bundles: a plain visitor costs a fraction of building Byte Buddy's {@code AgentBuilder},
 * and nearly every JVM loads this class.
 *
 * <p>Two calls are added, each at the start of a private method that exists from Java 8 to 25:
 * <ul>
 *   <li>{@code writeRequests()}: runs once per hop, with the hop's {@code url} and its {@code requests}
 *       headers, just before they are written. Headers added at {@code connect()} would be too early
 *       ("Already connected" later) and would follow a redirect to another host.</li>
 *   <li>{@code followRedirect()}: runs once per response, while {@code url} is still the hop that
 *       answered, so a 401 and a redirect are seen before the next hop. When the hook asks for it (a 401 to
 *       a request the agent upgraded, now carrying a fresh token), the method re-sends the request by
 *       "redirecting" to the same URL through the JDK's own {@code followRedirect0}: there from Java 9 on, and in
 *       Java 8 updates too (8u504 has it). A JDK without it gets the 401 to the application.</li>
 * </ul>
 * If either method or a field it reads is missing (an unknown JDK), the class is left untouched.
 */
final class HttpUrlConnectionPatch {
    static final String TARGET = "sun/net/www/protocol/http/HttpURLConnection";
    static final String HOOK = "sun/net/www/protocol/http/Imdsv2Hook";
    private static final String MESSAGE_HEADER = "Lsun/net/www/MessageHeader;";

    private HttpUrlConnectionPatch() {
    }

    private static final String FOLLOW_REDIRECT0 = "(Ljava/lang/String;ILjava/net/URL;)Z";

    /** The result: the patched class file, and whether it re-sends after a 401. */
    static final class Patched {
        final byte[] classfile;
        final boolean retriesUnauthorized;

        Patched(byte[] classfile, boolean retriesUnauthorized) {
            this.classfile = classfile;
            this.retriesUnauthorized = retriesUnauthorized;
        }
    }

    /** The patched class, or null when this JDK's class does not have the expected shape. */
    static Patched patch(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        boolean canResend = hasFollowRedirect0(reader);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        PatchingVisitor visitor = new PatchingVisitor(writer, canResend);
        reader.accept(visitor, 0);
        return visitor.complete() ? new Patched(writer.toByteArray(), canResend) : null;
    }

    /** A first, code-skipping pass: methods are visited in file order, and followRedirect0 comes after followRedirect. */
    private static boolean hasFollowRedirect0(ClassReader reader) {
        final boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if ("followRedirect0".equals(name) && FOLLOW_REDIRECT0.equals(descriptor) && (access & Opcodes.ACC_STATIC) == 0) {
                    found[0] = true;
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }

    private static final class PatchingVisitor extends ClassVisitor {
        private final boolean canResend;
        private boolean hasRequestsField;
        private boolean patchedWriteRequests;
        private boolean patchedFollowRedirect;

        PatchingVisitor(ClassVisitor next, boolean canResend) {
            super(Opcodes.ASM9, next);
            this.canResend = canResend;
        }

        boolean complete() {
            return hasRequestsField && patchedWriteRequests && patchedFollowRedirect;
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            if ("requests".equals(name) && MESSAGE_HEADER.equals(descriptor) && (access & Opcodes.ACC_STATIC) == 0) {
                hasRequestsField = true;
            }
            return super.visitField(access, name, descriptor, signature, value);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            // Fields are visited before methods, so hasRequestsField is known here.
            if (!hasRequestsField || (access & Opcodes.ACC_STATIC) != 0) {
                return mv;
            }
            if ("writeRequests".equals(name) && "()V".equals(descriptor)) {
                patchedWriteRequests = true;
                return new EntryCall(mv, false, false);
            }
            if ("followRedirect".equals(name) && "()Z".equals(descriptor)) {
                patchedFollowRedirect = true;
                return new EntryCall(mv, true, canResend);
            }
            return mv;
        }
    }

    /**
     * Emits {@code Imdsv2Hook.beforeX(this, this.url, <method or responseCode>, this.requests)} as the first
     * instructions; in {@code followRedirect()} with {@code resend}, also
     * {@code if (hook says so) return followRedirect0(url.toString(), 307, url);}.
     */
    private static final class EntryCall extends MethodVisitor {
        private final boolean followRedirect;
        private final boolean resend;

        EntryCall(MethodVisitor next, boolean followRedirect, boolean resend) {
            super(Opcodes.ASM9, next);
            this.followRedirect = followRedirect;
            this.resend = resend;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            visitVarInsn(Opcodes.ALOAD, 0);
            visitVarInsn(Opcodes.ALOAD, 0);
            visitFieldInsn(Opcodes.GETFIELD, TARGET, "url", "Ljava/net/URL;");
            visitVarInsn(Opcodes.ALOAD, 0);
            if (followRedirect) {
                visitFieldInsn(Opcodes.GETFIELD, TARGET, "responseCode", "I");
            } else {
                visitFieldInsn(Opcodes.GETFIELD, TARGET, "method", "Ljava/lang/String;");
            }
            visitVarInsn(Opcodes.ALOAD, 0);
            visitFieldInsn(Opcodes.GETFIELD, TARGET, "requests", MESSAGE_HEADER);
            if (followRedirect) {
                visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeFollowRedirect",
                        "(Ljava/lang/Object;Ljava/net/URL;ILjava/lang/Object;)Z", false);
                if (!resend) {
                    visitInsn(Opcodes.POP);
                    return;
                }
                Label carryOn = new Label();
                visitJumpInsn(Opcodes.IFEQ, carryOn);
                visitVarInsn(Opcodes.ALOAD, 0);
                visitVarInsn(Opcodes.ALOAD, 0);
                visitFieldInsn(Opcodes.GETFIELD, TARGET, "url", "Ljava/net/URL;");
                visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/net/URL", "toString", "()Ljava/lang/String;", false);
                visitIntInsn(Opcodes.SIPUSH, 307);
                visitVarInsn(Opcodes.ALOAD, 0);
                visitFieldInsn(Opcodes.GETFIELD, TARGET, "url", "Ljava/net/URL;");
                visitMethodInsn(Opcodes.INVOKESPECIAL, TARGET, "followRedirect0", FOLLOW_REDIRECT0, false);
                visitInsn(Opcodes.IRETURN);
                visitLabel(carryOn);
                // Same locals as on entry (just "this") and an empty stack: the original code follows unchanged.
                visitFrame(Opcodes.F_SAME, 0, null, 0, null);
            } else {
                visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeWriteRequests",
                        "(Ljava/lang/Object;Ljava/net/URL;Ljava/lang/String;Ljava/lang/Object;)V", false);
            }
        }
    }
}
