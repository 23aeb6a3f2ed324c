package dev.imdsv2.agent.metrics;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.report.AgentState;

/**
 * {@code imdsv2.metrics.application-registry}: the same meters in the application's own Micrometer
 * {@code Metrics.globalRegistry} (a Spring Boot application adds its registries there, so its
 * {@code /actuator/prometheus} shows them), whatever its Micrometer version from 1.0.0 on.
 *
 * <p>Lazy both ways: the agent learns of the application's Micrometer when the JVM loads its {@code Metrics}
 * class (the transformer sees the name go by, or it was loaded before an attach), and binds only once the JVM has
 * made its first IMDS request. An application that never calls IMDS is never touched; one without Micrometer
 * costs a map lookup per loaded class that the transformer does anyway.
 */
public final class ApplicationRegistries {
    private static final String SHADED_PREFIX = "dev.imdsv2.agent.shaded.";

    /**
     * The application's (unrelocated) {@code io.micrometer.core.instrument.Metrics}. The shade plugin relocates
     * this literal with the agent's own copy; stripping the prefix gives back the application's name, in the
     * shaded jar and in unit tests alike.
     */
    static final String METRICS_CLASS = unshaded("io.micrometer.core.instrument.Metrics");

    /** A stand-in for the bootstrap loader (null), which a weak reference cannot tell from a collected one. */
    private static final WeakReference<ClassLoader> BOOTSTRAP = new WeakReference<ClassLoader>(null);

    private final AgentState runtime;
    /** Every loader whose Micrometer was seen, bound or waiting for the first IMDS request; guarded by {@code this}. */
    private final List<WeakReference<ClassLoader>> seen = new ArrayList<WeakReference<ClassLoader>>();
    private boolean imdsCalled;

    public ApplicationRegistries(AgentState runtime) {
        this.runtime = runtime;
    }

    static String unshaded(String className) {
        return className.startsWith(SHADED_PREFIX) ? className.substring(SHADED_PREFIX.length()) : className;
    }

    /** Notes the loader of a {@code Metrics} class that is already loaded (the agent was attached late). */
    public void noteIfMicrometer(Class<?> loaded) {
        if (loaded.getName().equals(METRICS_CLASS)) {
            found(loaded.getClassLoader());
        }
    }

    /** Watches for the application's {@code Metrics} class as it loads; changes nothing in it. */
    public ClassPatch sighting() {
        return new ClassPatch() {
            @Override
            public String internalName() {
                return METRICS_CLASS.replace('.', '/');
            }

            @Override
            public byte[] patch(ClassLoader loader, Class<?> classBeingRedefined, byte[] classfile) {
                if (classBeingRedefined == null) {
                    foundWhileLoading(loader);
                }
                return null;
            }
        };
    }

    /** The JVM made its first IMDS request (called on a background thread): bind every registry known so far. */
    public void imdsCalled() {
        List<ClassLoader> loaders = new ArrayList<ClassLoader>();
        synchronized (this) {
            imdsCalled = true;
            for (WeakReference<ClassLoader> ref : seen) {
                ClassLoader loader = ref.get();
                if (loader != null || ref == BOOTSTRAP) {
                    loaders.add(loader);
                }
            }
        }
        for (ClassLoader loader : loaders) {
            bind(loader);
        }
    }

    private void found(ClassLoader loader) {
        if (record(loader)) {
            bind(loader);
        }
    }

    /** Inside the transformer the class is still being defined: bind from another thread, which waits for it. */
    private void foundWhileLoading(final ClassLoader loader) {
        if (!record(loader)) {
            return;
        }
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                bind(loader);
            }
        }, "imdsv2-agent-app-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    /** Remembers a loader once; true when it is new and the meters are to be bound now. */
    private synchronized boolean record(ClassLoader loader) {
        for (WeakReference<ClassLoader> ref : seen) {
            if (loader == null ? ref == BOOTSTRAP : ref.get() == loader) {
                return false;
            }
        }
        seen.add(loader == null ? BOOTSTRAP : new WeakReference<ClassLoader>(loader));
        return imdsCalled;
    }

    private void bind(ClassLoader loader) {
        try {
            Class<?> metrics = Class.forName(METRICS_CLASS, true, loader);
            Object globalRegistry = metrics.getField("globalRegistry").get(null);
            String apiPackage = METRICS_CLASS.substring(0, METRICS_CLASS.lastIndexOf('.'));
            new MeterBinder(globalRegistry, "the application's Micrometer", apiPackage).bind(runtime);
            AgentLog.log().debug("meters bound to the application's Micrometer global registry ({})", loader);
        } catch (Throwable t) {
            AgentLog.internalFailure("binding meters to the application's Micrometer", t);
        }
    }
}
