package dev.imdsv2.it.apps;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.UnaryOperator;

/**
 * What the test applications need from the JVM that Java 8 spells differently: they are compiled for Java 8
 * (integration-tests/pom.xml) and run on every JDK the suite covers.
 */
public final class Jvm {
    private Jvm() {
    }

    /** 8, 11, 17, ... */
    public static int featureVersion() {
        String version = System.getProperty("java.specification.version");
        return Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version);
    }

    /**
     * Calls a static method of {@code JdkHttpClientApp} by name. That app is compiled for Java 11 and the others
     * for 8: they reach it this way, on 11+ only, so that nothing of theirs links to it.
     */
    static Object callJdkHttpClientApp(String method, Object... args) throws Exception {
        for (Method candidate : Class.forName(Jvm.class.getPackage().getName() + ".JdkHttpClientApp").getDeclaredMethods()) {
            if (candidate.getName().equals(method) && Modifier.isStatic(candidate.getModifiers())) {
                candidate.setAccessible(true);
                try {
                    return candidate.invoke(null, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            }
        }
        throw new NoSuchMethodException("JdkHttpClientApp." + method);
    }

    /** {@code url -> "status body"} through a JDK HttpClient that the named factory of {@code JdkHttpClientApp} made. */
    @SuppressWarnings("unchecked")
    static UnaryOperator<String> jdkHttpClient(String factory, Object... args) {
        try {
            return (UnaryOperator<String>) callJdkHttpClientApp(factory, args);
        } catch (Exception e) {
            throw new IllegalStateException("no JDK HttpClient from JdkHttpClientApp." + factory, e);
        }
    }

    public static String pid() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        return name.substring(0, name.indexOf('@'));
    }

    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) != -1; ) {
            bytes.write(buffer, 0, n);
        }
        return bytes.toByteArray();
    }

    public static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        for (int n = 0; n < length; ) {
            int read = in.read(bytes, n, length - n);
            if (read < 0) {
                throw new EOFException("the stream ended after " + n + " of " + length + " bytes");
            }
            n += read;
        }
        return bytes;
    }

    /**
     * Loads a Java agent into this JVM through the attach API ({@code jdk.attach} on 9+, which needs
     * {@code -Djdk.attach.allowAttachSelf=true}; the JDK's {@code lib/tools.jar} on 8).
     */
    public static void loadAgentIntoThisJvm(String jar, String arguments) throws Exception {
        Class<?> virtualMachine;
        try {
            virtualMachine = Class.forName("com.sun.tools.attach.VirtualMachine");
        } catch (ClassNotFoundException java8) {
            URL toolsJar = new File(System.getProperty("java.home"), "../lib/tools.jar").toURI().toURL();
            virtualMachine = Class.forName("com.sun.tools.attach.VirtualMachine", true, new URLClassLoader(new URL[] {toolsJar}));
        }
        try {
            Object vm = virtualMachine.getMethod("attach", String.class).invoke(null, pid());
            try {
                virtualMachine.getMethod("loadAgent", String.class, String.class).invoke(vm, jar, arguments);
            } finally {
                virtualMachine.getMethod("detach").invoke(vm);
            }
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
