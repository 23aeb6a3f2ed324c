package dev.imdsv2.agent.cli;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code com.sun.tools.attach}, reached by reflection: the agent is compiled for Java 8, where that API is
 * not part of the platform but of the JDK's {@code lib/tools.jar}; on 9+ it is the {@code jdk.attach}
 * module. Methods are looked up on the public API types, never on the (unexported) implementation classes.
 */
final class AttachApi {

    /** An attached JVM; {@link #detach()} it when done. */
    final class Connection {
        private final Object vm;

        private Connection(Object vm) {
            this.vm = vm;
        }

        Properties systemProperties() throws Exception {
            return (Properties) call(getSystemProperties, vm);
        }

        /** The JVM's own serviceability properties: {@code sun.jvm.args}, {@code sun.java.command}, ... */
        Properties agentProperties() throws Exception {
            return (Properties) call(getAgentProperties, vm);
        }

        void loadAgent(String jar, String arguments) throws Exception {
            call(loadAgent, vm, jar, arguments);
        }

        /** Starts (or finds) the JVM's local JMX connector and returns its address; no agent is loaded for that. */
        String startLocalManagementAgent() throws Exception {
            return (String) call(startLocalManagementAgent, vm);
        }

        void detach() {
            try {
                call(detach, vm);
            } catch (Exception ignored) {
                // the JVM may have gone; nothing to release then
            }
        }
    }

    private final Method list;
    private final Method attach;
    private final Method id;
    private final Method getSystemProperties;
    private final Method getAgentProperties;
    private final Method loadAgent;
    private final Method startLocalManagementAgent;
    private final Method detach;

    private AttachApi(Class<?> virtualMachine, Class<?> descriptor) throws NoSuchMethodException {
        list = virtualMachine.getMethod("list");
        attach = virtualMachine.getMethod("attach", String.class);
        id = descriptor.getMethod("id");
        getSystemProperties = virtualMachine.getMethod("getSystemProperties");
        getAgentProperties = virtualMachine.getMethod("getAgentProperties");
        loadAgent = virtualMachine.getMethod("loadAgent", String.class, String.class);
        startLocalManagementAgent = virtualMachine.getMethod("startLocalManagementAgent");
        detach = virtualMachine.getMethod("detach");
    }

    /** The attach API of the JVM running this command, or a clear reason why it has none. */
    static AttachApi load() throws CliException {
        ClassLoader loader = AttachApi.class.getClassLoader();
        try {
            return from(loader);
        } catch (ClassNotFoundException notOnClassPath) {
            // Java 8: the API is in the JDK's tools.jar, next to (not inside) the JRE that java.home names
        } catch (Exception | LinkageError e) {
            throw noAttachApi(e);
        }
        File toolsJar = new File(System.getProperty("java.home"), "../lib/tools.jar");
        if (toolsJar.isFile()) {
            try {
                return from(new URLClassLoader(new URL[] {toolsJar.toURI().toURL()}, null));
            } catch (Exception | LinkageError e) {
                throw noAttachApi(e);
            }
        }
        throw noAttachApi(null);
    }

    private static AttachApi from(ClassLoader loader) throws Exception {
        return new AttachApi(Class.forName("com.sun.tools.attach.VirtualMachine", true, loader),
                Class.forName("com.sun.tools.attach.VirtualMachineDescriptor", true, loader));
    }

    private static CliException noAttachApi(Throwable cause) {
        String version = System.getProperty("java.specification.version");
        String where = version.startsWith("1.")
                ? "Java " + version + " keeps it in a JDK's lib/tools.jar, and " + System.getProperty("java.home")
                        + " is a JRE without one"
                : "this Java runtime (" + System.getProperty("java.home") + ") has no jdk.attach module";
        return new CliException(ExitCodes.CANNOT_ATTACH, "the attach API is not available: " + where
                + (cause == null ? "" : " (" + cause + ")")
                + ". Run this command with a full JDK's java: /path/to/jdk/bin/java -jar imdsv2-agent.jar ...");
    }

    /** The pids of the JVMs {@code VirtualMachine.list()} finds: those that publish performance data this user can read. */
    List<String> list() throws Exception {
        List<String> result = new ArrayList<String>();
        for (Object d : (List<?>) call(list, null)) {
            result.add((String) call(id, d));
        }
        return result;
    }

    Connection attach(String pid) throws Exception {
        return new Connection(call(attach, null, pid));
    }

    /** Invokes, and rethrows what the attach API threw rather than the reflection wrapper. */
    private static Object call(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }
}
