package dev.imdsv2.agent.clients;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.JavaModule;

import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.DecisionPath;

/**
 * The third-party clients (OkHttp, Apache HttpClient 4 and 5, Reactor Netty, AsyncHttpClient, Jetty, Vert.x),
 * instrumented with Byte Buddy advice, whose {@code AgentBuilder} costs about half a second to build: so it is
 * built only when the first class that one of those clients changes is loading, never in a JVM that does not
 * load one.
 *
 * <p>The agent's one registered transformer hands exactly those classes (by name, from its map) to
 * {@link #transform}; everything else never reaches Byte Buddy. The builder is turned into a raw
 * transformer ({@code makeRaw()}) and called from there rather than installed on the JVM, because a
 * transformer installed while a class is loading would not see that class, and the class that triggered
 * the build must be changed too. Classes already loaded when the agent arrives (attach at run time) are
 * retransformed through the same path; {@code disableClassFormatChanges()} keeps the advice within
 * what retransformation allows.
 */
public final class ThirdPartyClients implements ClassFileTransformer {

    private final List<ClientInstrumentation> clients;
    private final DecisionPath decisions;
    private final Set<String> targets = new HashSet<String>();
    private volatile ClassFileTransformer built;

    public ThirdPartyClients(List<ClientInstrumentation> clients, DecisionPath decisions) {
        this.clients = clients;
        this.decisions = decisions;
        for (ClientInstrumentation client : clients) {
            for (String name : client.targetClasses()) {
                targets.add(name.replace('.', '/'));
            }
        }
    }

    /** The internal names of every class to hand to {@link #transform}. */
    public Set<String> targetClasses() {
        return targets;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        try {
            return transformer().transform(loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        } catch (Throwable t) {
            AgentLog.internalFailure("instrumenting " + className.replace('/', '.'), t);
            return null;
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

    private ClassFileTransformer transformer() throws NoSuchMethodException {
        ClassFileTransformer t = built;
        if (t == null) {
            synchronized (this) {
                t = built;
                if (t == null) {
                    t = build();
                    built = t;
                }
            }
        }
        return t;
    }

    private ClassFileTransformer build() throws NoSuchMethodException {
        // After shading this literal is relocated like Byte Buddy's own: no Nexus, so no Unsafe use on Java 24+.
        System.setProperty("net.bytebuddy.nexus.disabled", "true");
        ImdsHops.install(decisions);
        // Advice is read from the agent jar's class files and resolved against the client's own class loader,
        // never loaded as a class: the client types it names need not be visible to the agent's loader.
        // Every advice suppresses what it throws; the handler hands that to ImdsHops.adviceFailed, so that it is
        // counted and logged once like any failure of the agent, instead of vanishing.
        AgentBuilder.Transformer.ForAdvice advice = new AgentBuilder.Transformer.ForAdvice()
                .include(ThirdPartyClients.class.getClassLoader())
                .withExceptionHandler(new Advice.ExceptionHandler.Simple(MethodInvocation.invoke(
                        new MethodDescription.ForLoadedMethod(ImdsHops.class.getMethod("adviceFailed", Throwable.class)))));
        // Byte Buddy leaves synthetic methods out of advice; a lambda's body is one, and Vert.x 4's default redirect
        // handler is a lambda: those are let in (no other client's matcher names a lambda$ method).
        ByteBuddy byteBuddy = new ByteBuddy().with(TypeValidation.DISABLED).ignore(ElementMatchers.isDefaultFinalizer()
                .or(ElementMatchers.isSynthetic().and(ElementMatchers.not(ElementMatchers.nameStartsWith("lambda$")))));
        AgentBuilder builder = new AgentBuilder.Default(byteBuddy)
                // Retransformation of loaded classes goes through the agent's own transformer (see above), so no
                // redefinition strategy here; only changes that retransformation allows.
                .disableClassFormatChanges()
                // Byte Buddy's default ignores bootstrap and its own classes; only our targets ever get here.
                .ignore(ElementMatchers.none())
                .with(new ErrorListener());
        for (ClientInstrumentation client : clients) {
            builder = client.extend(builder, advice);
        }
        return builder.makeRaw();
    }

    /** Byte Buddy reports a class it could not change here; the class stays as it was. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
            AgentLog.internalFailure("instrumenting " + typeName, throwable);
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
