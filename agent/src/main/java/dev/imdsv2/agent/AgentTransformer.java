package dev.imdsv2.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.log.AgentLog;

/**
 * The agent's transformer. It sees every class the JVM loads, so it does nothing but a map
 * lookup by name until a class it patches comes along: either a {@link ClassPatch} of its own, or a
 * class it hands to another transformer (the third-party clients', whose advice is declared only when the
 * first such class arrives).
 *
 * <p>It is registered as a transformer that cannot retransform. On Java 8 the JVM hands every class that loads to
 * each retransformation-capable transformer's environment as a copy of its class file, on the heap, on top of the
 * copy it hands the other environment anyway: a one-request program loads over a thousand classes after
 * {@code premain}. Only the classes loaded before the agent need retransforming, so a second transformer, capable of
 * it and limited to those classes, is registered only when there are any ({@link #register}): at {@code premain}, as
 * a rule, there are none.
 */
final class AgentTransformer implements ClassFileTransformer {
    private final Map<String, ClassPatch> patches = new ConcurrentHashMap<String, ClassPatch>();
    private final Map<String, ClassFileTransformer> delegates = new ConcurrentHashMap<String, ClassFileTransformer>();

    void add(ClassPatch patch) {
        patches.put(patch.internalName(), patch);
    }

    /** Hands the classes of these internal names to {@code transformer}. */
    void delegate(Iterable<String> internalNames, ClassFileTransformer transformer) {
        for (String name : internalNames) {
            delegates.put(name, transformer);
        }
    }

    /** What to do with the targets that were loaded before the transformer was registered. */
    interface Retransformation {
        void retransform(Class<?>[] loadedTargets) throws Exception;
    }

    /**
     * Registers this transformer for every class that loads from now on, then has {@code retransformation}
     * retransform the targets that had loaded before; returns those targets (none, as a rule, at {@code premain}).
     * The transformer that patches those stays registered: a class patched by retransformation keeps its original
     * bytes as the starting point of any later retransformation, so when another agent retransforms it, only a
     * transformer still there puts the patch back. A class patched as it loaded keeps the patch in that starting
     * point, and needs none.
     */
    Class<?>[] register(Instrumentation instrumentation, Retransformation retransformation) throws Exception {
        instrumentation.addTransformer(this, false);
        Class<?>[] loaded = targetsAmong(instrumentation.getAllLoadedClasses());
        if (loaded.length == 0) {
            return loaded;
        }
        instrumentation.addTransformer(retransforming(loaded), true);
        retransformation.retransform(loaded);
        return loaded;
    }

    /**
     * This transformer for the retransformation of exactly {@code classes}: any other class that another agent
     * retransforms was patched as it loaded already and must not be patched a second time.
     */
    ClassFileTransformer retransforming(Class<?>[] classes) {
        final Set<Class<?>> only = Collections.newSetFromMap(new IdentityHashMap<Class<?>, Boolean>());
        only.addAll(Arrays.asList(classes));
        return new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                                    ProtectionDomain protectionDomain, byte[] classfileBuffer)
                    throws IllegalClassFormatException {
                if (classBeingRedefined == null || !only.contains(classBeingRedefined)) {
                    return null;
                }
                return AgentTransformer.this.transform(loader, className, classBeingRedefined, protectionDomain,
                        classfileBuffer);
            }
        };
    }

    /**
     * The classes among {@code loaded} that this transformer would have changed had it been there when they
     * loaded. One pass that reads each name once: at {@code premain} some 800 JDK classes are loaded and, as a rule,
     * none of them is a target, so the instrumentations' own checks need not each walk them all again.
     */
    Class<?>[] targetsAmong(Class<?>[] loaded) {
        List<Class<?>> targets = new ArrayList<Class<?>>();
        for (Class<?> c : loaded) {
            String internalName = c.getName().replace('.', '/');
            if (patches.containsKey(internalName) || delegates.containsKey(internalName)) {
                targets.add(c);
            }
        }
        return targets.toArray(new Class<?>[0]);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
        if (className == null) {
            return null;
        }
        ClassPatch patch = patches.get(className);
        if (patch == null) {
            ClassFileTransformer delegate = delegates.get(className);
            // The delegate catches and logs its own failures.
            return delegate == null ? null
                    : delegate.transform(loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        }
        try {
            return patch.patch(loader, classBeingRedefined, classfileBuffer);
        } catch (Throwable t) {
            AgentLog.internalFailure("patching " + className.replace('/', '.'), t);
            return null;
        }
    }
}
