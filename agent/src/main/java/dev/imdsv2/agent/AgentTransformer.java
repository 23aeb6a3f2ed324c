package dev.imdsv2.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.imdsv2.agent.report.AgentLog;

/**
 * The agent's only transformer. It sees every class the JVM loads, so it does nothing but a map
 * lookup by name until a class it patches comes along.
 */
final class AgentTransformer implements ClassFileTransformer {
    private final Map<String, ClassPatch> patches = new ConcurrentHashMap<String, ClassPatch>();

    void add(ClassPatch patch) {
        patches.put(patch.internalName(), patch);
    }

    boolean patches(String internalName) {
        return patches.containsKey(internalName);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null) {
            return null;
        }
        ClassPatch patch = patches.get(className);
        if (patch == null) {
            return null;
        }
        try {
            return patch.patch(loader, classBeingRedefined, classfileBuffer);
        } catch (Throwable t) {
            AgentLog.internalFailure("patching " + className.replace('/', '.'), t);
            return null;
        }
    }
}
