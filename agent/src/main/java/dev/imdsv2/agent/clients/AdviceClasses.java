package dev.imdsv2.agent.clients;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.imdsv2.agent.jdk.JdkHookInjector;

/**
 * The advice classes: read from the agent jar, and defined into each class loader whose client classes call them.
 *
 * <p>An advice class names the client's types, so it must live in the loader of the client's classes, wherever the
 * client is loaded; there it links against that loader's copy of the client, and against the agent's own classes
 * ({@link ImdsHops}) through the loader's parents. On Java 9 and later a client on the application's class path
 * shares the agent's loader, which loads the advice class from the agent jar like any other class. Into any other
 * loader (a Spring Boot jar's, a web application's, and on Java 8 the class path's too, the agent's classes being
 * the bootstrap loader's there: see {@code AgentMain}) it is defined with {@code ClassLoader.defineClass}: on Java 9
 * and later the agent first opens {@code java.lang} to itself with {@link Instrumentation#redefineModule}
 * (silently; the agent's module is the unnamed module of the class path, which then holds no more than a launcher
 * and the agent). A class the JVM resolves from a loader is looked up first among the classes that loader defined,
 * so each loader's woven client classes reach its own copy, whatever the parents hold.
 */
final class AdviceClasses {
    private final Instrumentation instrumentation;
    private final Map<String, AdviceClass> read = new ConcurrentHashMap<String, AdviceClass>();
    private volatile Method defineClass;
    private volatile Method findLoadedClass;

    /** {@code instrumentation} may be null where {@code java.lang} is open to the agent already (the unit tests). */
    AdviceClasses(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /** The advice class of that name ({@code a.b.C}), read from the agent jar once. */
    AdviceClass get(String className) throws IOException {
        AdviceClass advice = read.get(className);
        if (advice == null) {
            advice = AdviceClass.read(classfile(className));
            read.put(className, advice);
        }
        return advice;
    }

    /** Defines the advice class into {@code loader}, unless it is there already or the loader is the agent's own. */
    void defineIn(ClassLoader loader, AdviceClass advice) throws Exception {
        if (loader == AdviceClasses.class.getClassLoader()) {
            return;
        }
        String name = advice.internalName.replace('/', '.');
        if (findLoadedClass().invoke(loader, name) != null) {
            return;
        }
        try {
            defineClass.invoke(loader, name, advice.classfile, 0, advice.classfile.length,
                    AdviceClasses.class.getProtectionDomain());
        } catch (InvocationTargetException e) {
            // Another thread, weaving another class of the same loader, defined it first.
            if (!(e.getCause() instanceof LinkageError) || findLoadedClass.invoke(loader, name) == null) {
                throw e;
            }
        }
    }

    private Method findLoadedClass() throws Exception {
        Method find = findLoadedClass;
        if (find == null) {
            synchronized (this) {
                if (findLoadedClass == null) {
                    openJavaLang();
                    Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class,
                            int.class, ProtectionDomain.class);
                    define.setAccessible(true);
                    defineClass = define;
                    Method found = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
                    found.setAccessible(true);
                    findLoadedClass = found;
                }
                find = findLoadedClass;
            }
        }
        return find;
    }

    private void openJavaLang() throws Exception {
        if (instrumentation == null || System.getProperty("java.specification.version", "").startsWith("1.")) {
            return; // Java 8 has no modules
        }
        Method getModule = Class.class.getMethod("getModule");
        Object javaBase = getModule.invoke(ClassLoader.class);
        Map<String, Set<Object>> opens = Collections.singletonMap("java.lang",
                Collections.singleton(getModule.invoke(AdviceClasses.class)));
        Method redefineModule = Instrumentation.class.getMethod("redefineModule", Class.forName("java.lang.Module"),
                Set.class, Map.class, Map.class, Set.class, Map.class);
        redefineModule.invoke(instrumentation, javaBase, Collections.emptySet(), Collections.emptyMap(), opens,
                Collections.emptySet(), Collections.emptyMap());
    }

    private static byte[] classfile(String className) throws IOException {
        return JdkHookInjector.agentJarResource(className.replace('.', '/') + ".class");
    }
}
