package dev.imdsv2.it.apps;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs an app in a class loader of its own, as a Spring Boot jar or a servlet container runs an application: the
 * app and its client library are found there first, and only what it lacks (the JDK, the agent) through its parent,
 * the system class loader. Arguments: the loader's class path, the app's main class, the app's arguments. On exit
 * it prints {@code ADVICE <class> <child|parent>} for each class named in {@code -Dadvice.classes}: which loader
 * holds that advice class for the app.
 */
public final class ChildFirstLauncher {

    private ChildFirstLauncher() {
    }

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : args[0].split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        ClassLoader child = new ChildFirst(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (String advice : System.getProperty("advice.classes", "").split(",")) {
                try {
                    Class<?> found = Class.forName(advice, false, child);
                    System.out.println("ADVICE " + advice + " " + (found.getClassLoader() == child ? "child" : "parent"));
                } catch (ClassNotFoundException e) {
                    System.out.println("ADVICE " + advice + " missing");
                }
            }
        }));
        Thread.currentThread().setContextClassLoader(child);
        Class.forName(args[1], true, child).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }

    /** Its own class path first, then the parent's. */
    private static final class ChildFirst extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        ChildFirst(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && !name.startsWith("java.")) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        // the parent's, then
                    }
                }
                if (c == null) {
                    c = super.loadClass(name, false);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
