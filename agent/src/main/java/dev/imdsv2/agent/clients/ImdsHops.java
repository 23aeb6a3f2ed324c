package dev.imdsv2.agent.clients;

import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.policy.Decision;
import dev.imdsv2.agent.policy.DecisionPath;
import dev.imdsv2.agent.policy.ImdsRequest;
import dev.imdsv2.agent.report.AgentLog;

/**
 * The one helper that the third-party clients' advice calls, per hop: the advice reads the client's own
 * request and response types, this class decides through the shared {@link DecisionPath}.
 *
 * <p>Advice is inlined into the client's classes, which may live in any class loader, so this class takes
 * and returns JDK types only: it links against nothing of a client library.
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
    }

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
     * As {@link #endpoint(String, String, int)}, for clients that keep a hop's URL as a string
     * ({@code scheme://[user@]host[:port][/path]}). Only {@code http} and {@code https} URLs can be IMDS. The
     * URL is read in place: nothing is allocated for a host that is not IMDS.
     */
    public static Endpoint endpointOfUrl(String url) {
        DecisionPath d = decisions;
        if (d == null || url == null) {
            return null;
        }
        String scheme;
        if (url.startsWith("http://")) {
            scheme = "http";
        } else if (url.startsWith("https://")) {
            scheme = "https";
        } else {
            return null; // ws, wss, ...
        }
        int hostStart = scheme.length() + 3;
        int authorityEnd = hostStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        if (at >= hostStart) {
            hostStart = at + 1;
        }
        int colon = url.lastIndexOf(':', authorityEnd - 1);
        int hostEnd = authorityEnd;
        int port = "https".equals(scheme) ? 443 : 80;
        if (colon > hostStart && colon > url.lastIndexOf(']', authorityEnd - 1)) {
            port = 0;
            for (int i = colon + 1; i < authorityEnd; i++) {
                char c = url.charAt(i);
                if (c < '0' || c > '9' || port > 65535) {
                    return null;
                }
                port = port * 10 + (c - '0');
            }
            hostEnd = colon;
        }
        return d.imdsEndpoint(scheme, url, hostStart, hostEnd, port);
    }

    /**
     * One hop to IMDS is about to go out. Returns the token to add as {@code X-aws-ec2-metadata-token}, or
     * null to send the hop as it is; throws the enforce-mode failure for the caller.
     *
     * @param exchange               the client's object for the whole request, or null when the client keeps none
     * @param firstHop               this hop starts a new request on {@code exchange} (for clients whose
     *                               exchange objects are reused, such as Apache contexts): forget its history
     * @param pathOrUri              the request path or the request-line URI; scheme, authority and query are ignored
     * @param tokenOnRequest         the token header the hop already carries, or null
     * @param redirectedFromElsewhere the client itself knows that an earlier hop went to another host
     */
    public static String beforeHop(String client, Endpoint endpoint, Object exchange, boolean firstHop, String method,
                                   String pathOrUri, String tokenOnRequest, boolean forwarded, boolean proxied,
                                   boolean redirectedFromElsewhere) throws IOException {
        DecisionPath d = decisions;
        if (d == null || endpoint == null) {
            return null;
        }
        Decision decision;
        try {
            ExchangeState state = exchange == null ? null : EXCHANGES.get(exchange);
            if (state != null && firstHop) {
                EXCHANGES.remove(exchange);
                state = null;
            }
            if (state != null && tokenOnRequest != null && tokenOnRequest.equals(state.tokenAdded)) {
                return null; // the same hop sent again (a retry): decided and counted already
            }
            boolean fromElsewhere = redirectedFromElsewhere || (state != null && state.redirectedByElsewhere);
            decision = d.decide(new ImdsRequest(client, endpoint, method, pathOf(pathOrUri), tokenOnRequest != null,
                    forwarded, proxied, fromElsewhere));
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
     */
    public static void afterHop(String client, Object exchange, Endpoint hopEndpoint, String tokenOnRequest, int status) {
        if (status != 401 && (status < 300 || status > 399)) {
            return;
        }
        try {
            DecisionPath d = decisions;
            if (d == null || exchange == null) {
                return;
            }
            if (status == 401) {
                ExchangeState state = EXCHANGES.get(exchange);
                if (hopEndpoint != null && state != null && tokenOnRequest != null && tokenOnRequest.equals(state.tokenAdded)) {
                    d.unauthorized(client, hopEndpoint, state.tokenAdded);
                    state.tokenAdded = null;
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

    /** The path of a request-line URI: without scheme, authority and query. */
    static String pathOf(String pathOrUri) {
        if (pathOrUri == null) {
            return "/";
        }
        String path = pathOrUri;
        int scheme = path.indexOf("://");
        if (scheme > 0 && path.charAt(0) != '/') {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }
}
