package dev.imdsv2.agent.clients;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;

/**
 * The one helper that the third-party clients' advice calls, per hop: the advice reads the client's own
 * request and response types, this class decides through the shared {@link DecisionPath}.
 *
 * <p>The advice classes are defined into the loader of the client's classes, which may be any class loader, and
 * reach this class through its parents; so this class takes and returns JDK types only: it links against
 * nothing of a client library.
 *
 * <p>Per-exchange state (the token this agent added, whether a hop left IMDS) is kept only for exchanges
 * that touched IMDS or were redirected by another host: ordinary traffic allocates nothing here. The
 * exchange is the object a client keeps for one logical request across its hops (an OkHttp call, an Apache
 * context).
 */
public final class ImdsHops {
    private static volatile DecisionPath decisions;

    /** What the agent remembers about one exchange. */
    private static final class ExchangeState {
        /** The token this agent put on the exchange's latest IMDS hop. */
        String tokenAdded;
        /** A hop of this exchange, to a host that is not IMDS, answered with a redirect. */
        boolean redirectedByElsewhere;
        /** IMDS answered 401 to the hop that carried {@link #tokenAdded}, and the exchange has not been re-sent for it. */
        boolean rejected;
        /** Re-sends made for a 401 so far: see {@link #takeResend}. */
        int resends;
        /** The exchange is being re-sent for a 401: its next IMDS hop takes a fresh token without being counted again. */
        boolean resending;
    }

    /**
     * At most this many re-sends per exchange: one with a fresh token, and a second only when that token was
     * rejected too, which trips the token breaker, so that the second goes out as the application made it.
     */
    private static final int MAX_RESENDS = 2;

    private static final Map<Object, ExchangeState> EXCHANGES =
            Collections.synchronizedMap(new WeakHashMap<Object, ExchangeState>());

    private ImdsHops() {
    }

    static void install(DecisionPath decisionPath) {
        decisions = decisionPath;
    }

    /**
     * The hot-path test run on every hop: the IMDS endpoint that this hop targets, or null. Allocates
     * nothing. {@code port} below 0 means the scheme's default port.
     */
    public static Endpoint endpoint(String scheme, String host, int port) {
        DecisionPath d = decisions;
        if (d == null || scheme == null || host == null) {
            return null;
        }
        int effectivePort = port >= 0 ? port : "https".equalsIgnoreCase(scheme) ? 443 : 80;
        return d.imdsEndpoint(scheme, host, effectivePort);
    }

    /**
     * As {@link #endpoint(String, String, int)}, for clients that keep a hop's URL as a string: see
     * {@link DecisionPath#imdsEndpointOfUrl(String)}.
     */
    public static Endpoint endpointOfUrl(String url) {
        DecisionPath d = decisions;
        return d == null ? null : d.imdsEndpointOfUrl(url);
    }

    /** A hop to {@code endpoint} (null: not IMDS, nothing is decided) on the client's {@code exchange} (null: none). */
    public static Hop hop(String client, Endpoint endpoint, Object exchange) {
        return new Hop(client, endpoint, exchange);
    }

    /** See {@link Hop#decide}. */
    static String decide(Hop hop) throws IOException {
        String client = hop.client;
        Endpoint endpoint = hop.endpoint;
        Object exchange = hop.exchange;
        boolean firstHop = hop.firstHop;
        String tokenOnRequest = hop.tokenOnRequest;
        DecisionPath d = decisions;
        if (d == null || endpoint == null) {
            return null;
        }
        Decision decision;
        try {
            ExchangeState state = exchange == null ? null : EXCHANGES.get(exchange);
            if (state != null && state.resending) {
                // The same request again, after IMDS rejected the token it carried: decided and counted already.
                state.resending = false;
                String fresh = d.freshToken(endpoint);
                if (fresh != null) {
                    state.tokenAdded = fresh;
                    return fresh;
                }
                firstHop = false; // no token to be had: decided again below like any tokenless request
            }
            if (state != null && firstHop) {
                EXCHANGES.remove(exchange);
                state = null;
            }
            if (state != null && tokenOnRequest != null && tokenOnRequest.equals(state.tokenAdded)) {
                return null; // the same hop sent again (a retry): decided and counted already
            }
            boolean fromElsewhere = hop.redirectedFromElsewhere || (state != null && state.redirectedByElsewhere);
            decision = d.decide(new ImdsRequest(client, endpoint, hop.method, DecisionPath.pathOf(hop.pathOrUri),
                    tokenOnRequest != null, hop.forwarded, hop.proxied, fromElsewhere));
            if (decision.token() != null && exchange != null) {
                if (state == null) {
                    state = new ExchangeState();
                    EXCHANGES.put(exchange, state);
                }
                state.tokenAdded = decision.token();
            }
        } catch (Throwable t) {
            AgentLog.internalFailure(client + " request", t);
            return null;
        }
        if (decision.isBlocked()) {
            throw decision.failure();
        }
        return decision.token();
    }

    /**
     * A hop's response arrived. Only a 401 to a hop that carries this agent's token (IMDS dropped it) and a
     * redirect from a host that is not IMDS (a later hop into IMDS must get no token) do anything.
     *
     * @param hopEndpoint    the IMDS endpoint the hop targeted, or null when it was not IMDS
     * @param tokenOnRequest the token header the hop carried, or null
     * @param location       the response's {@code Location} header, for a redirect (null: not read by this client)
     */
    public static void afterHop(String client, Object exchange, Endpoint hopEndpoint, String tokenOnRequest, int status,
                                String location) {
        if (!DecisionPath.isReportedResponse(status)) {
            return;
        }
        try {
            DecisionPath d = decisions;
            if (d == null) {
                return;
            }
            if (status != 401) {
                d.redirectAnswered(hopEndpoint, null, location);
            }
            if (exchange == null) {
                return;
            }
            if (status == 401) {
                ExchangeState state = EXCHANGES.get(exchange);
                if (hopEndpoint != null && state != null && tokenOnRequest != null && tokenOnRequest.equals(state.tokenAdded)) {
                    d.unauthorized(client, hopEndpoint, state.tokenAdded);
                    state.tokenAdded = null;
                    state.rejected = true;
                }
            } else if (hopEndpoint == null) {
                synchronized (EXCHANGES) {
                    ExchangeState state = EXCHANGES.get(exchange);
                    if (state == null) {
                        state = new ExchangeState();
                        EXCHANGES.put(exchange, state);
                    }
                    state.redirectedByElsewhere = true;
                }
            }
        } catch (Throwable t) {
            AgentLog.internalFailure(client + " response", t);
        }
    }

    /**
     * For clients that can send an exchange again (an application-level point of their chain): true, once per
     * rejection, when IMDS answered 401 to the token this agent put on the exchange's hop, so that the client
     * re-sends the request, as it would for an authentication challenge; its next IMDS hop then takes a fresh
     * token from {@link Hop#decide} without being counted again (or, when none is to be had, goes out as the
     * application made it). Only GET and HEAD are ever upgraded, so only they are ever re-sent.
     */
    public static boolean takeResend(Object exchange) {
        try {
            ExchangeState state = exchange == null ? null : EXCHANGES.get(exchange);
            if (state == null || !state.rejected || state.resends >= MAX_RESENDS) {
                return false;
            }
            state.rejected = false;
            state.resends++;
            state.resending = true;
            return true;
        } catch (Throwable t) {
            AgentLog.internalFailure("re-send after a 401", t);
            return false;
        }
    }

    /** See {@link DecisionPath#isRedirect}. */
    public static boolean isRedirect(int status) {
        return DecisionPath.isRedirect(status);
    }

    /** See {@link DecisionPath#isReportedResponse}: advice asks before it reads anything more of a response. */
    public static boolean isReportedResponse(int status) {
        return DecisionPath.isReportedResponse(status);
    }

    /** See {@link DecisionPath#isRelayHeader}. */
    public static boolean isRelayHeader(String name) {
        return DecisionPath.isRelayHeader(name);
    }

    /**
     * Whether an IMDS hop's request carries a relay header, read with {@code headers}' own public method
     * {@code lookup(String)} as {@code type} declares it: one that returns a {@code boolean} (contains) or a value
     * (null when absent). Reflection keeps advice free of inner classes, and it runs for IMDS hops only.
     */
    public static boolean carriesRelayHeader(Object headers, Class<?> type, String lookup) {
        try {
            return DecisionPath.carriesRelayHeader(new ReflectiveHeaders(headers, type.getMethod(lookup, String.class)));
        } catch (Exception | LinkageError e) {
            AgentLog.internalFailure("reading the relay headers with " + type.getName() + "." + lookup, e);
            return true; // unreadable: treated as relayed, never upgraded
        }
    }

    private static final class ReflectiveHeaders implements DecisionPath.Headers {
        private final Object headers;
        private final Method lookup;

        ReflectiveHeaders(Object headers, Method lookup) {
            this.headers = headers;
            this.lookup = lookup;
        }

        @Override
        public boolean has(String name) throws Exception {
            Object value = lookup.invoke(headers, name);
            return value instanceof Boolean ? (Boolean) value : value != null;
        }
    }

    /**
     * What an advice method caught of its own failures (every one catches them, see {@link Hook}): counted, and
     * logged once for each place it came from. The client's method goes on as if the advice had not been there.
     */
    public static void adviceFailed(Throwable failure) {
        StackTraceElement[] frames = failure.getStackTrace();
        AgentLog.internalFailure("client advice" + (frames.length == 0 ? "" : " at " + frames[0]), failure);
    }
}
