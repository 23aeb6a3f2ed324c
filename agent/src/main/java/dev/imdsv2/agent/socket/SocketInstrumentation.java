package dev.imdsv2.agent.socket;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.jdk.ClassPatch;
import dev.imdsv2.agent.jdk.JdkHookInjector;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;

/**
 * The socket-level catch-all ({@code imdsv2.instrumentation.socket.enabled}, client tag {@code unknown}):
 * every TCP connect to an IMDS endpoint's address that no client instrumentation covers — a raw
 * {@code java.net.Socket}, an NIO {@code SocketChannel}, an exotic client — is caught by its resolved address,
 * so a host name that resolves to IMDS is caught too.
 * <ul>
 *   <li>{@code java.net.Socket}: the request heads the application writes are read as they go out and
 *       decided one by one like any client's (category from the path); an upgraded one gets the token header
 *       before its blank line, a blocked one (enforce) fails the write and never leaves the JVM.</li>
 *   <li>NIO channels: the agent would have to rewrite the application's own buffers, so the connect is
 *       counted as a v1 request, passed, with its call site ("unseen"), and never changed or blocked.</li>
 *   <li>A client the agent instruments is left to that instrumentation; one it knows but does not instrument
 *       here (switched off, say) is only counted, unseen: the socket level cannot see its redirects. The
 *       agent's own token PUT is never touched.</li>
 * </ul>
 */
public final class SocketInstrumentation {
    /** The name in {@code imdsv2.instrumentation.<name>.enabled}. */
    public static final String CONFIG_NAME = "socket";
    /** The {@code client} tag of what it counts. */
    public static final String CLIENT = "unknown";
    private static final String HOOK_CLASS = "sun.nio.ch.Imdsv2SocketHook";
    /** A class of the hook's package that nothing patches (loading it for the anchor triggers no patch). */
    private static final String ANCHOR_CLASS = "sun.nio.ch.Net";

    /** The endpoints that are IP literals, as socket addresses, with the endpoint each stands for. */
    private static final class Targets {
        final InetSocketAddress[] addresses;
        final Endpoint[] endpoints;

        Targets(InetSocketAddress[] addresses, Endpoint[] endpoints) {
            this.addresses = addresses;
            this.endpoints = endpoints;
        }

        Endpoint endpointFor(InetSocketAddress address) {
            for (int i = 0; i < addresses.length; i++) {
                if (addresses[i].getPort() == address.getPort() && addresses[i].getAddress().equals(address.getAddress())) {
                    return endpoints[i];
                }
            }
            return null;
        }
    }

    private final Instrumentation instrumentation;
    private final DecisionPath decisions;
    private final ClientFrames clientFrames;
    /** Sockets connected to IMDS by other code, until the GC takes them. */
    private final Map<Object, HeadRewriter> imdsSockets = Collections.synchronizedMap(new WeakHashMap<Object, HeadRewriter>());
    private volatile Targets targets;
    private volatile Class<?> hook;
    private volatile boolean socketSeen;
    private volatile Field socketImpl;

    /**
     * @param instrumentedClients the config names of the client instrumentations installed before this one:
     *                            their requests are theirs to count
     */
    public SocketInstrumentation(Instrumentation instrumentation, DecisionPath decisions, Collection<String> instrumentedClients) {
        this.instrumentation = instrumentation;
        this.decisions = decisions;
        this.clientFrames = new ClientFrames(instrumentedClients);
        this.targets = targetsOf(decisions.config());
    }

    /** One patch for {@code java.net.Socket}, one for {@code sun.nio.ch.SocketChannelImpl}. */
    public List<ClassPatch> patches() {
        return Arrays.<ClassPatch>asList(new JdkClassPatch(SocketPatches.SOCKET), new JdkClassPatch(SocketPatches.SOCKET_CHANNEL));
    }

    private final class JdkClassPatch implements ClassPatch {
        private final String internalName;

        JdkClassPatch(String internalName) {
            this.internalName = internalName;
        }

        @Override
        public String internalName() {
            return internalName;
        }

        @Override
        public byte[] patch(ClassLoader loader, Class<?> classBeingRedefined, byte[] classfile) throws Exception {
            if (loader != null) {
                return null; // only the JDK's own class
            }
            byte[] patched = SocketPatches.SOCKET.equals(internalName)
                    ? SocketPatches.patchSocket(classfile) : SocketPatches.patchSocketChannel(classfile);
            if (patched == null) {
                AgentLog.log().debug("{} of this JDK has an unknown shape: left alone", internalName.replace('/', '.'));
                return null;
            }
            installHook(); // before the patched class can run
            return patched;
        }
    }

    /** Retransforms the classes that were loaded before the agent (another agent, attach at run time). */
    public void retransformIfLoaded(Class<?>[] loaded) throws Exception {
        List<Class<?>> toPatch = new ArrayList<Class<?>>();
        for (Class<?> c : loaded) {
            String name = c.getName();
            if (c.getClassLoader() == null && (name.equals("java.net.Socket") || name.equals("sun.nio.ch.SocketChannelImpl"))) {
                toPatch.add(c);
            }
        }
        if (!toPatch.isEmpty()) {
            installHook();
            instrumentation.retransformClasses(toPatch.toArray(new Class<?>[0]));
        }
    }

    /** A new configuration (re-attach, JMX mode switch): new endpoints, or off. */
    public void reconfigure(AgentConfig config) {
        targets = targetsOf(config);
        Class<?> installed = hook;
        if (installed != null) {
            try {
                publishAddresses(installed);
            } catch (Exception e) {
                AgentLog.internalFailure("socket catch-all reconfiguration", e);
            }
        }
    }

    private synchronized void installHook() throws Exception {
        if (hook != null) {
            return;
        }
        Class<?> anchor = Class.forName(ANCHOR_CLASS, false, null);
        // java.net is opened too: the agent reads a socket's implementation to tell a proxied one.
        Class<?> installed = JdkHookInjector.define(instrumentation, anchor, HOOK_CLASS, Collections.singleton("java.net"));
        installed.getField("onImdsConnect").set(null, new BiConsumer<Object, InetSocketAddress>() {
            @Override
            public void accept(Object socketOrChannel, InetSocketAddress address) {
                onImdsConnect(socketOrChannel, address);
            }
        });
        installed.getField("outputFor").set(null, new BiFunction<Object, OutputStream, OutputStream>() {
            @Override
            public OutputStream apply(Object socket, OutputStream out) {
                return outputFor(socket, out);
            }
        });
        publishAddresses(installed);
        hook = installed;
    }

    private void publishAddresses(Class<?> installed) throws Exception {
        Targets current = targets;
        installed.getField("imdsAddresses").set(null, current == null ? null : current.addresses);
    }

    /**
     * The endpoints whose host is an IP literal, parsed without any lookup; null when the agent is off or none
     * is a literal. A host name endpoint is matched by the client instrumentations on the URL, not here: the
     * socket level would need a DNS lookup to know its address.
     */
    private static Targets targetsOf(AgentConfig config) {
        if (config.mode() == Mode.OFF) {
            return null;
        }
        List<InetSocketAddress> addresses = new ArrayList<InetSocketAddress>();
        List<Endpoint> endpoints = new ArrayList<Endpoint>();
        for (Endpoint endpoint : config.endpoints()) {
            InetAddress address = literalAddress(endpoint.hostForUrl());
            if (address != null) {
                addresses.add(new InetSocketAddress(address, endpoint.port()));
                endpoints.add(endpoint);
            }
        }
        return addresses.isEmpty() ? null
                : new Targets(addresses.toArray(new InetSocketAddress[0]), endpoints.toArray(new Endpoint[0]));
    }

    /** The address of an IPv4 literal or a bracketed IPv6 literal; null for a host name (never looked up). */
    static InetAddress literalAddress(String host) {
        try {
            if (host.startsWith("[")) {
                return InetAddress.getByName(host); // a bracketed literal is parsed, never looked up
            }
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) {
                    return null;
                }
                for (int c = 0; c < parts[i].length(); c++) {
                    if (!Character.isDigit(parts[i].charAt(c))) {
                        return null;
                    }
                }
                int value = Integer.parseInt(parts[i]);
                if (value > 255) {
                    return null;
                }
                bytes[i] = (byte) value;
            }
            return InetAddress.getByAddress(bytes);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A connect to an IMDS address; runs on the connecting thread, before the connection is made. */
    private void onImdsConnect(Object socketOrChannel, InetSocketAddress address) {
        try {
            Targets current = targets;
            Endpoint endpoint = current == null ? null : current.endpointFor(address);
            if (endpoint == null) {
                return;
            }
            Throwable connectedFrom = new Throwable("call site");
            StackTraceElement[] stack = connectedFrom.getStackTrace();
            ClientFrames.Owner owner = clientFrames.ownerOf(stack, belowHook(stack));
            if (owner == ClientFrames.Owner.AGENT || owner == ClientFrames.Owner.INSTRUMENTED_CLIENT) {
                return;
            }
            if (!(socketOrChannel instanceof Socket) || owner == ClientFrames.Owner.OTHER_KNOWN_CLIENT) {
                decisions.decide(ImdsRequest.unseen(CLIENT, endpoint, connectedFrom));
                return;
            }
            SocketDecider decider = new SocketDecider(endpoint, connectedFrom);
            // Before the connect: an HTTP proxy's tunnel replaces the socket's implementation while connecting.
            decider.proxied = isProxied((Socket) socketOrChannel);
            imdsSockets.put(socketOrChannel, new HeadRewriter(decider));
            if (!socketSeen) {
                socketSeen = true;
                hook.getField("imdsSocketSeen").setBoolean(null, true);
            }
        } catch (Throwable t) {
            AgentLog.internalFailure("socket connect to IMDS", t);
        }
    }

    /** The index of the first frame below the hook: the JDK's connect, then whoever called it. */
    private static int belowHook(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if (HOOK_CLASS.equals(stack[i].getClassName())) {
                return i + 1;
            }
        }
        return 0;
    }

    /** {@code Socket.getOutputStream()} is returning {@code out}: the stream the application gets instead. */
    private OutputStream outputFor(Object socket, OutputStream out) {
        try {
            HeadRewriter rewriter = imdsSockets.get(socket);
            if (rewriter == null || out instanceof RewritingOutputStream) {
                return out;
            }
            SocketDecider decider = (SocketDecider) rewriter.decider();
            // After the connect: only now does a SOCKS implementation know whether it went through a proxy.
            decider.proxied = decider.proxied || isProxied((Socket) socket);
            return new RewritingOutputStream(out, rewriter);
        } catch (Throwable t) {
            AgentLog.internalFailure("socket output to IMDS", t);
            return out;
        }
    }

    /**
     * Whether the socket reaches IMDS through a proxy, asked before and after its connect: an HTTP CONNECT
     * tunnel (its implementation, seen before the connect replaces it with the tunnel's), or a SOCKS proxy (the
     * default implementation asks the proxy selector while connecting, and then names the proxy server).
     * Anything the agent cannot tell counts as proxied: a token never goes through a proxy.
     */
    private boolean isProxied(Socket socket) {
        try {
            Field implField = socketImpl;
            if (implField == null) {
                implField = Socket.class.getDeclaredField("impl");
                implField.setAccessible(true);
                socketImpl = implField;
            }
            Object impl = implField.get(socket);
            if (impl == null || impl.getClass().getClassLoader() != null) {
                return true; // an application's SocketImplFactory: unknown routing
            }
            String name = impl.getClass().getName();
            if (name.equals("java.net.HttpConnectSocketImpl")) {
                return true;
            }
            for (Class<?> c = impl.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals("java.net.SocksSocketImpl")) {
                    Field server = c.getDeclaredField("server");
                    server.setAccessible(true);
                    return server.get(impl) != null;
                }
            }
            return false; // the platform implementation, connected directly
        } catch (Exception e) {
            AgentLog.internalFailure("reading a socket's proxy", e);
            return true;
        }
    }

    /** Decides the requests written to one socket. Holds no reference to the socket (see {@link HeadRewriter}). */
    private final class SocketDecider implements HeadRewriter.Decider {
        private final Endpoint endpoint;
        private final Throwable connectedFrom;
        volatile boolean proxied;

        SocketDecider(Endpoint endpoint, Throwable connectedFrom) {
            this.endpoint = endpoint;
            this.connectedFrom = connectedFrom;
        }

        @Override
        public String tokenFor(RequestHead head) throws IOException {
            Decision decision;
            try {
                decision = decisions.decide(new ImdsRequest(CLIENT, endpoint, head.method, head.path,
                        head.carriesToken, head.forwarded, proxied, false, connectedFrom));
            } catch (Throwable t) {
                AgentLog.internalFailure("socket request to IMDS", t);
                return null;
            }
            if (decision.isBlocked()) {
                throw decision.failure();
            }
            return decision.token();
        }

        @Override
        public void unreadable() {
            try {
                decisions.decide(ImdsRequest.unseen(CLIENT, endpoint, connectedFrom));
            } catch (Throwable t) {
                AgentLog.internalFailure("socket request to IMDS", t);
            }
        }
    }
}
