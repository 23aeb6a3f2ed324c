package dev.imdsv2.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.log.AgentLog;

/**
 * The agent's only transformer. It sees every class the JVM loads, so it does nothing but a map
 * lookup by name until a class it patches comes along: either a {@link ClassPatch} of its own, or a
 * class it hands to another transformer (the third-party clients', whose Byte Buddy machinery is built
 * only when the first such class arrives).
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
