package dev.imdsv2.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.imdsv2.agent.jdk.ClassPatch;

/**
 * The transformer is registered as one that cannot retransform (on Java 8 a capable one costs a heap copy of every
 * class that loads); one that can exists only while the classes loaded before the agent are retransformed.
 */
class AgentTransformerTest {
    private static final byte[] PATCHED = {1, 2, 3};

    /** The transformers registered, each with whether it may retransform, in order; null once removed. */
    private final Map<ClassFileTransformer, Boolean> registered = new LinkedHashMap<ClassFileTransformer, Boolean>();
    private final List<String> calls = new ArrayList<String>();

    private Instrumentation instrumentation(final Class<?>... loaded) {
        return (Instrumentation) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Instrumentation.class},
                new InvocationHandler() {
                    @Override
                    public Object invoke(Object proxy, Method method, Object[] args) {
                        calls.add(method.getName());
                        if (method.getName().equals("addTransformer")) {
                            registered.put((ClassFileTransformer) args[0], args.length > 1 && (Boolean) args[1]);
                            return null;
                        }
                        if (method.getName().equals("removeTransformer")) {
                            return registered.put((ClassFileTransformer) args[0], null) != null;
                        }
                        if (method.getName().equals("getAllLoadedClasses")) {
                            return loaded;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static AgentTransformer patching(final Class<?> target) {
        AgentTransformer transformer = new AgentTransformer();
        transformer.add(new ClassPatch() {
            @Override
            public String internalName() {
                return target.getName().replace('.', '/');
            }

            @Override
            public byte[] patch(ClassLoader loader, Class<?> classBeingRedefined, byte[] classfile) {
                return PATCHED;
            }
        });
        return transformer;
    }

    @Test
    void withNothingLoadedBeforeItOnlyATransformerThatCannotRetransformIsRegistered() throws Exception {
        AgentTransformer transformer = patching(Runnable.class);
        Class<?>[] retransformed = transformer.register(instrumentation(String.class), new AgentTransformer.Retransformation() {
            @Override
            public void retransform(Class<?>[] loadedTargets) {
                throw new AssertionError("nothing to retransform");
            }
        });
        assertEquals(0, retransformed.length);
        assertEquals(1, registered.size());
        assertEquals(Boolean.FALSE, registered.get(transformer));
    }

    @Test
    void theClassesLoadedBeforeArePatchedByARetransformingTransformerThatStays() throws Exception {
        final AgentTransformer transformer = patching(Runnable.class);
        final List<ClassFileTransformer> duringRetransformation = new ArrayList<ClassFileTransformer>();
        Class<?>[] retransformed = transformer.register(instrumentation(String.class, Runnable.class),
                new AgentTransformer.Retransformation() {
                    @Override
                    public void retransform(Class<?>[] loadedTargets) {
                        for (Map.Entry<ClassFileTransformer, Boolean> e : registered.entrySet()) {
                            if (Boolean.TRUE.equals(e.getValue())) {
                                duringRetransformation.add(e.getKey());
                            }
                        }
                    }
                });
        assertArrayEquals(new Class<?>[] {Runnable.class}, retransformed);
        assertEquals(1, duringRetransformation.size());
        ClassFileTransformer retransformer = duringRetransformation.get(0);
        assertNotSame(transformer, retransformer);
        assertEquals(Boolean.FALSE, registered.get(transformer));
        assertTrue(registered.containsKey(retransformer));
        assertEquals(Boolean.TRUE, registered.get(retransformer),
                "still there for another agent's retransformation of those classes");
        assertTrue(!calls.contains("removeTransformer"), calls.toString());
    }

    @Test
    void theRetransformingTransformerPatchesOnlyTheClassesItWasMadeFor() throws Exception {
        AgentTransformer transformer = patching(Runnable.class);
        ClassFileTransformer retransformer = transformer.retransforming(new Class<?>[] {Runnable.class});
        String name = Runnable.class.getName().replace('.', '/');
        assertSame(PATCHED, retransformer.transform(null, name, Runnable.class, null, new byte[0]));
        assertNull(retransformer.transform(null, name, null, null, new byte[0]), "a class loading is the other one's");
        assertNull(retransformer.transform(null, name, Thread.class, null, new byte[0]), "another agent's retransformation");
    }
}
