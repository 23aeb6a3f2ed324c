package dev.imdsv2.agent.jdkhttpclient;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The bytecode change to {@code jdk.internal.net.http.MultiExchange}, the JDK {@code HttpClient}'s driver
 * of one request through its hops (redirects, authentication retries), done with the ASM that Byte Buddy
 * bundles. {@code send} and {@code sendAsync}, HTTP/1.1 and HTTP/2 all go through it.
 *
 * <p>Three calls are added, each at the start of a method that has the same shape from Java 11 to 25:
 * <ul>
 *   <li>{@code responseAsync(Executor)}: runs once per request, still on the thread that called
 *       {@code send}/{@code sendAsync}, so the call site can be taken there (the hops of {@code sendAsync}
 *       run on the client's executor).</li>
 *   <li>{@code requestFilters(HttpRequestImpl)}: runs once per hop, with the hop's own request object,
 *       before its headers are built; a redirect or an authentication retry is a new request object with
 *       fresh system headers, so a token added there never follows to the next hop. It may throw
 *       {@code IOException}, which fails the request the way the client fails any other.</li>
 *   <li>{@code responseFilters(Response)}: runs once per response, with the hop that it answers; after a 401 to a
 *       hop the agent upgraded, the hook may return a copy of that hop to send next (with a fresh token), the
 *       way the client's own authentication filter re-sends a request. A redirect is reported too, with the
 *       response, whose {@code Location} may name IMDS.</li>
 * </ul>
 * If a method or a field it reads is missing (an unknown JDK), the class is left untouched.
 */
final class MultiExchangePatch {
    static final String TARGET = "jdk/internal/net/http/MultiExchange";
    static final String HOOK = "jdk/internal/net/http/Imdsv2HttpClientHook";
    private static final String REQUEST = "jdk/internal/net/http/HttpRequestImpl";
    private static final String RESPONSE = "jdk/internal/net/http/Response";

    private MultiExchangePatch() {
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
        private boolean hasRequestField;
        private boolean patchedResponseAsync;
        private boolean patchedRequestFilters;
        private boolean patchedResponseFilters;

        PatchingVisitor(ClassVisitor next) {
            super(Opcodes.ASM9, next);
        }

        boolean complete() {
            return hasRequestField && patchedResponseAsync && patchedRequestFilters && patchedResponseFilters;
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            if ("request".equals(name) && ("L" + REQUEST + ";").equals(descriptor) && (access & Opcodes.ACC_STATIC) == 0) {
                hasRequestField = true;
            }
            return super.visitField(access, name, descriptor, signature, value);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            // Fields are visited before methods, so hasRequestField is known here.
            if (!hasRequestField || (access & Opcodes.ACC_STATIC) != 0) {
                return mv;
            }
            if ("responseAsync".equals(name) && "(Ljava/util/concurrent/Executor;)Ljava/util/concurrent/CompletableFuture;".equals(descriptor)) {
                patchedResponseAsync = true;
                return new EntryCall(mv) {
                    @Override
                    void emit() {
                        // Imdsv2HttpClientHook.beforeResponseAsync(this, this.request.uri())
                        visitVarInsn(Opcodes.ALOAD, 0);
                        visitVarInsn(Opcodes.ALOAD, 0);
                        visitFieldInsn(Opcodes.GETFIELD, TARGET, "request", "L" + REQUEST + ";");
                        visitMethodInsn(Opcodes.INVOKEVIRTUAL, REQUEST, "uri", "()Ljava/net/URI;", false);
                        visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeResponseAsync", "(Ljava/lang/Object;Ljava/net/URI;)V", false);
                    }
                };
            }
            if ("requestFilters".equals(name) && ("(L" + REQUEST + ";)V").equals(descriptor)) {
                patchedRequestFilters = true;
                return new EntryCall(mv) {
                    @Override
                    void emit() {
                        // Imdsv2HttpClientHook.beforeRequestFilters(this, this.request, hop, hop.uri())
                        visitVarInsn(Opcodes.ALOAD, 0);
                        visitVarInsn(Opcodes.ALOAD, 0);
                        visitFieldInsn(Opcodes.GETFIELD, TARGET, "request", "L" + REQUEST + ";");
                        visitVarInsn(Opcodes.ALOAD, 1);
                        visitVarInsn(Opcodes.ALOAD, 1);
                        visitMethodInsn(Opcodes.INVOKEVIRTUAL, REQUEST, "uri", "()Ljava/net/URI;", false);
                        visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeRequestFilters",
                                "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/net/URI;)V", false);
                    }
                };
            }
            if ("responseFilters".equals(name) && ("(L" + RESPONSE + ";)L" + REQUEST + ";").equals(descriptor)) {
                patchedResponseFilters = true;
                return new EntryCall(mv) {
                    @Override
                    void emit() {
                        // Object resend = Imdsv2HttpClientHook.beforeResponseFilters(this, response.request(), response.statusCode(), response);
                        // if (resend != null) return (HttpRequestImpl) resend;  -- the client sends it as the next hop
                        visitVarInsn(Opcodes.ALOAD, 0);
                        visitVarInsn(Opcodes.ALOAD, 1);
                        visitMethodInsn(Opcodes.INVOKEVIRTUAL, RESPONSE, "request", "()L" + REQUEST + ";", false);
                        visitVarInsn(Opcodes.ALOAD, 1);
                        visitMethodInsn(Opcodes.INVOKEVIRTUAL, RESPONSE, "statusCode", "()I", false);
                        visitVarInsn(Opcodes.ALOAD, 1);
                        visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeResponseFilters",
                                "(Ljava/lang/Object;Ljava/lang/Object;ILjava/lang/Object;)Ljava/lang/Object;", false);
                        visitInsn(Opcodes.DUP);
                        Label carryOn = new Label();
                        visitJumpInsn(Opcodes.IFNULL, carryOn);
                        visitTypeInsn(Opcodes.CHECKCAST, REQUEST);
                        visitInsn(Opcodes.ARETURN);
                        visitLabel(carryOn);
                        // The locals are the method's arguments, as on entry; the hook's null is still on the stack.
                        visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {"java/lang/Object"});
                        visitInsn(Opcodes.POP);
                    }
                };
            }
            return mv;
        }
    }

    /** Emits the hook call as the method's first instructions. */
    private abstract static class EntryCall extends MethodVisitor {
        EntryCall(MethodVisitor next) {
            super(Opcodes.ASM9, next);
        }

        abstract void emit();

        @Override
        public void visitCode() {
            super.visitCode();
            emit();
        }
    }
}
