package dev.imdsv2.agent.urlconnection;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
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
 *       answered, so a 401 and a redirect are seen before the next hop.</li>
 * </ul>
 * If either method or a field it reads is missing (an unknown JDK), the class is left untouched.
 */
final class HttpUrlConnectionPatch {
    static final String TARGET = "sun/net/www/protocol/http/HttpURLConnection";
    static final String HOOK = "sun/net/www/protocol/http/Imdsv2Hook";
    private static final String MESSAGE_HEADER = "Lsun/net/www/MessageHeader;";

    private HttpUrlConnectionPatch() {
    }

    /** The patched class file, or null when this JDK's class does not have the expected shape. */
    static byte[] patch(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        PatchingVisitor visitor = new PatchingVisitor(writer);
        reader.accept(visitor, 0);
        return visitor.complete() ? writer.toByteArray() : null;
    }

    private static final class PatchingVisitor extends ClassVisitor {
        private boolean hasRequestsField;
        private boolean patchedWriteRequests;
        private boolean patchedFollowRedirect;

        PatchingVisitor(ClassVisitor next) {
            super(Opcodes.ASM9, next);
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
                return new EntryCall(mv, false);
            }
            if ("followRedirect".equals(name) && "()Z".equals(descriptor)) {
                patchedFollowRedirect = true;
                return new EntryCall(mv, true);
            }
            return mv;
        }
    }

    /** Emits {@code Imdsv2Hook.beforeX(this, this.url, <method or responseCode>, this.requests)} as the first instructions. */
    private static final class EntryCall extends MethodVisitor {
        private final boolean followRedirect;

        EntryCall(MethodVisitor next, boolean followRedirect) {
            super(Opcodes.ASM9, next);
            this.followRedirect = followRedirect;
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
                        "(Ljava/lang/Object;Ljava/net/URL;ILjava/lang/Object;)V", false);
            } else {
                visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeWriteRequests",
                        "(Ljava/lang/Object;Ljava/net/URL;Ljava/lang/String;Ljava/lang/Object;)V", false);
            }
        }
    }
}
