package dev.imdsv2.agent.jdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Puts a small "hook" class into a JDK package, so that code patched into a JDK class can call it.
 *
 * <p>A JDK class links only to classes its own loader sees, and on Java 9+ only within the modules it
 * reads. So the hook is defined into the JDK package itself: the package is opened to the agent with
 * {@link Instrumentation}'s {@code redefineModule}, then {@code Lookup.defineClass} puts the hook there.
 * Appending a jar to the bootstrap search path instead prints a CDS warning and cannot define into a
 * module's package. On Java 8 there are no modules, and {@code sun.misc.Unsafe} defines it into the
 * bootstrap loader.
 *
 * <p>Hook classes are compiled with the agent and shipped as resources under {@code META-INF/imdsv2-hooks/}
 * (renamed from {@code .class}), so no loader can pick them up from the agent jar by accident. The Java 9+
 * API is reached by reflection because the agent is compiled for Java 8.
 */
public final class JdkHookInjector {
    private static final String HOOK_RESOURCES = "META-INF/imdsv2-hooks/";

    private JdkHookInjector() {
    }

    /**
     * Defines {@code hookClassName} into the package of {@code anchor} (a loaded JDK class of that package),
     * opening that package and {@code alsoOpen} to the agent. Returns the hook class; if it is there
     * already (a re-attach), returns the existing one.
     */
    public static Class<?> define(Instrumentation instrumentation, Class<?> anchor, String hookClassName,
                                  Set<String> alsoOpen) throws Exception {
        Class<?> existing = findLoaded(hookClassName, anchor.getClassLoader());
        if (existing != null) {
            openPackages(instrumentation, anchor, alsoOpen);
            return existing;
        }
        byte[] bytes = hookBytes(hookClassName);
        if (isJava8()) {
            return defineWithUnsafe(hookClassName, bytes);
        }
        openPackages(instrumentation, anchor, alsoOpen);
        Method privateLookupIn = MethodHandles.class.getMethod("privateLookupIn", Class.class, MethodHandles.Lookup.class);
        Object lookup = privateLookupIn.invoke(null, anchor, MethodHandles.lookup());
        Method defineClass = MethodHandles.Lookup.class.getMethod("defineClass", byte[].class);
        return (Class<?>) defineClass.invoke(lookup, (Object) bytes);
    }

    private static Class<?> findLoaded(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    static boolean isJava8() {
        return System.getProperty("java.specification.version", "").startsWith("1.");
    }

    /** Opens the anchor's package, and {@code alsoOpen} of the same module, to the agent's module. */
    private static void openPackages(Instrumentation instrumentation, Class<?> anchor, Set<String> alsoOpen) throws Exception {
        if (isJava8()) {
            return;
        }
        Method getModule = Class.class.getMethod("getModule");
        Object jdkModule = getModule.invoke(anchor);
        Object agentModule = getModule.invoke(JdkHookInjector.class);
        Set<Object> toAgent = Collections.singleton(agentModule);
        Map<String, Set<Object>> opens = new HashMap<String, Set<Object>>();
        opens.put(anchor.getPackage().getName(), toAgent);
        for (String name : alsoOpen) {
            opens.put(name, toAgent);
        }
        Class<?> moduleClass = Class.forName("java.lang.Module");
        Method redefineModule = Instrumentation.class.getMethod("redefineModule", moduleClass, Set.class, Map.class,
                Map.class, Set.class, Map.class);
        redefineModule.invoke(instrumentation, jdkModule, Collections.emptySet(), opens, opens,
                Collections.emptySet(), Collections.emptyMap());
    }

    private static Class<?> defineWithUnsafe(String name, byte[] bytes) throws Exception {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object unsafe = theUnsafe.get(null);
        Method defineClass = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, java.security.ProtectionDomain.class);
        return (Class<?>) defineClass.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
    }

    static byte[] hookBytes(String className) throws IOException {
        return agentJarResource(HOOK_RESOURCES + className.replace('.', '/') + ".class.bin");
    }

    /** A resource of the agent jar (a hook's or an advice class's class file), read whole. */
    public static byte[] agentJarResource(String resource) throws IOException {
        ClassLoader loader = JdkHookInjector.class.getClassLoader();
        InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException(resource + " is missing from the agent jar");
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }
}
