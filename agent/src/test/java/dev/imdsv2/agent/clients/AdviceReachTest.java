package dev.imdsv2.agent.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * Every advice class of the agent reaches the agent's own classes only through public members. An advice class is
 * defined into the client's class loader, so it is never in the runtime package of the agent class beside it, even
 * under the same package name: where the client is on the application's class path, as in the integration tests, a
 * package-private reach would work, and fail only under a Spring Boot jar or a web application's loader.
 */
class AdviceReachTest {

    @Test
    void adviceClassesUseOnlyPublicMembersOfTheAgent() throws Exception {
        List<Path> adviceClasses = adviceClassFiles();
        assertTrue(adviceClasses.size() >= 20, "found the advice classes: " + adviceClasses);
        List<String> wrong = new ArrayList<>();
        for (Path file : adviceClasses) {
            ClassReader reader = new ClassReader(Files.readAllBytes(file));
            String self = reader.getClassName();
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitFieldInsn(int opcode, String owner, String field, String fieldDescriptor) {
                            check(self, owner, field, null, wrong);
                        }

                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor, boolean isInterface) {
                            check(self, owner, method, methodDescriptor, wrong);
                        }
                    };
                }
            }, 0);
        }
        assertEquals(List.of(), wrong);
    }

    /** The classes of the agent with an enter or exit advice method. */
    private static List<Path> adviceClassFiles() throws IOException, URISyntaxException {
        Path classes = Paths.get(ImdsHops.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(classes.resolve("dev/imdsv2/agent"))) {
            return files.filter(p -> p.toString().endsWith(".class")).filter(AdviceReachTest::hasAdvice).collect(Collectors.toList());
        }
    }

    private static boolean hasAdvice(Path file) {
        boolean[] advice = {false};
        try {
            new ClassReader(Files.readAllBytes(file)).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                            advice[0] |= annotation.startsWith("Ldev/imdsv2/agent/clients/Hook$On");
                            return null;
                        }
                    };
                }
            }, ClassReader.SKIP_CODE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return advice[0];
    }

    private static void check(String self, String owner, String name, String methodDescriptor, List<String> wrong) {
        if (!owner.startsWith("dev/imdsv2/agent/") || owner.equals(self)) {
            return;
        }
        try {
            Class<?> type = Class.forName(owner.replace('/', '.'), false, AdviceReachTest.class.getClassLoader());
            Member member = methodDescriptor == null ? field(type, name) : method(type, name, methodDescriptor);
            if (!Modifier.isPublic(type.getModifiers()) || member == null || !Modifier.isPublic(member.getModifiers())) {
                wrong.add(self + " reaches " + owner + "." + name + ", which is not public");
            }
        } catch (ClassNotFoundException e) {
            wrong.add(self + " reaches " + owner + ", which is missing");
        }
    }

    private static Field field(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    return f;
                }
            }
        }
        return null;
    }

    private static Method method(Class<?> type, String name, String descriptor) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(descriptor)) {
                    return m;
                }
            }
        }
        return null;
    }
}
