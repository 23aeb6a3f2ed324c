package dev.imdsv2.agent.clients;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.log.AgentLog;

/**
 * The third-party clients (OkHttp, Apache HttpClient 4 and 5, Reactor Netty, AsyncHttpClient, Jetty, Vert.x): their
 * advice classes ({@link Hook}) called from their classes, woven in with plain ASM ({@link AdviceWeaver}) as those
 * classes load. Nothing is built ahead: a class costs the read of its class file and of its advice's, the weaving,
 * and the advice class defined into its loader ({@link AdviceClasses}), a few milliseconds.
 *
 * <p>The agent's one registered transformer hands exactly the target classes (by name, from its map) to
 * {@link #transform}; everything else never reaches this class. Classes already loaded when the agent arrives
 * (attach at run time) are retransformed through the same path: the weaving adds no member, as retransformation
 * requires.
 */
public final class ThirdPartyClients implements ClassFileTransformer {

    private final List<ClientInstrumentation> clients;
    private final Set<String> targets = new HashSet<String>();
    private final AdviceClasses adviceClasses;
    /** Loaders said to be out of the agent's reach (the boot loader as null): weakly, so that they can go away. */
    private final Set<ClassLoader> loadersOutOfReach = Collections.newSetFromMap(new WeakHashMap<ClassLoader, Boolean>());
    /** Declared when the first target class loads: a JVM that loads none never builds it. */
    private volatile AdvicePlan plan;

    /** {@code instrumentation} may be null where {@code java.lang} is open to the agent already (the unit tests). */
    public ThirdPartyClients(List<ClientInstrumentation> clients, DecisionPath decisions, Instrumentation instrumentation) {
        this.clients = clients;
        this.adviceClasses = new AdviceClasses(instrumentation);
        for (ClientInstrumentation client : clients) {
            for (String name : client.targetClasses()) {
                targets.add(name.replace('.', '/'));
            }
        }
        ImdsHops.install(decisions);
    }

    /** The internal names of every class to hand to {@link #transform}. */
    public Set<String> targetClasses() {
        return targets;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        List<AdvicePlan.Entry> entries = plan().forClass(className);
        if (entries == null) {
            return null;
        }
        try {
            if (loader == null || !seesTheAgent(loader)) {
                leftAsItIs(loader, className);
                return null;
            }
            List<AdviceWeaver.Point> points = new ArrayList<AdviceWeaver.Point>(entries.size());
            for (AdvicePlan.Entry entry : entries) {
                points.add(new AdviceWeaver.Point(entry.methods, adviceClasses.get(entry.adviceClass)));
            }
            AdviceWeaver.Woven woven = AdviceWeaver.weave(classfileBuffer, points);
            if (woven == null) {
                return null;
            }
            for (AdviceClass advice : woven.advice) {
                adviceClasses.defineIn(loader, advice);
            }
            return woven.classfile;
        } catch (Throwable t) {
            AgentLog.internalFailure("instrumenting " + className.replace('/', '.'), t);
            return null;
        }
    }

    private AdvicePlan plan() {
        AdvicePlan declared = plan;
        if (declared == null) {
            synchronized (this) {
                if (plan == null) {
                    AdvicePlan built = new AdvicePlan();
                    for (ClientInstrumentation client : clients) {
                        client.advise(built);
                    }
                    plan = built;
                }
                declared = plan;
            }
        }
        return declared;
    }

    /**
     * A client class whose loader cannot reach the agent is left as it is (README, Clients): no failure of the
     * agent's, and said in one WARN per loader, not per class, because every class of that client stays as it is.
     */
    private void leftAsItIs(ClassLoader loader, String className) {
        synchronized (loadersOutOfReach) {
            if (!loadersOutOfReach.add(loader)) {
                return;
            }
        }
        String name = className.replace('/', '.');
        AgentLog.warn("client_out_of_reach").with("class", name).with("loader", String.valueOf(loader))
                .log("{} is left as it is: its class loader {} does not reach the agent's classes, so the advice of the"
                        + " client it belongs to is not woven in and its IMDS requests go out as it makes them", name, loader);
    }

    /**
     * The advice calls {@link ImdsHops} through the client's loader: one that cannot reach this agent's copy (an
     * isolated plug-in loader, say) keeps its classes as they are, rather than fail in them.
     */
    private static boolean seesTheAgent(ClassLoader loader) {
        try {
            return Class.forName(ImdsHops.class.getName(), false, loader) == ImdsHops.class;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Retransforms the target classes loaded before the agent (attach at run time). */
    public void retransformIfLoaded(Instrumentation instrumentation, Class<?>[] loaded) {
        for (Class<?> c : loaded) {
            if (targets.contains(c.getName().replace('.', '/')) && instrumentation.isModifiableClass(c)) {
                try {
                    instrumentation.retransformClasses(c); // one by one: one failure must not stop the others
                } catch (Throwable t) {
                    AgentLog.internalFailure("retransforming " + c.getName(), t);
                }
            }
        }
    }

    /** Client tags of these instrumentations, for the start line. */
    public static List<String> tags(List<ClientInstrumentation> clients) {
        List<String> tags = new ArrayList<String>();
        for (ClientInstrumentation client : clients) {
            tags.add(client.client());
        }
        return tags;
    }
}
