package dev.imdsv2.agent.policy;

import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.CallerFinder;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenManager;

/**
 * The one decision every client instrumentation calls: is this IMDS? v1 or v2? may I upgrade it?
 * count it. Clients differ only in how they read a request and add a header; what happens to an
 * IMDS request is decided here, once, for all of them (DESIGN.md, "Behaviour of one request").
 */
public final class DecisionPath {
    public static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    /**
     * The headers that mark a relayed request (a proxy, a gateway, an SSRF relay): every client checks these, and a
     * request carrying any of them is never upgraded.
     */
    public static final List<String> RELAY_HEADERS =
            Collections.unmodifiableList(Arrays.asList("X-Forwarded-For", "Forwarded", "Via"));

    private final TokenManager tokens;
    private final RequestCounters counters;
    private final CallSites callSites;
    private final Runnable onFirstImdsRequest;
    private final AtomicBoolean sawImdsRequest = new AtomicBoolean();
    private volatile AgentConfig config;

    /** {@code onFirstImdsRequest} runs once, on the first IMDS request's thread: keep it short. */
    public DecisionPath(AgentConfig config, TokenManager tokens, RequestCounters counters, CallSites callSites,
                        Runnable onFirstImdsRequest) {
        this.config = config;
        this.tokens = tokens;
        this.counters = counters;
        this.callSites = callSites;
        this.onFirstImdsRequest = onFirstImdsRequest;
    }

    public void reconfigure(AgentConfig newConfig) {
        this.config = newConfig;
    }

    public AgentConfig config() {
        return config;
    }

    /** The hot-path check run on every request: the IMDS endpoint this URL targets, or null (also when the agent is off). */
    public Endpoint imdsEndpoint(URL url) {
        AgentConfig c = config;
        if (c.mode() == Mode.OFF) {
            return null;
        }
        List<Endpoint> endpoints = c.endpoints();
        for (int i = 0, n = endpoints.size(); i < n; i++) { // indexed: an iterator would allocate on every request
            if (endpoints.get(i).matches(url)) {
                return endpoints.get(i);
            }
        }
        return null;
    }

    /** As {@link #imdsEndpoint(URL)}, from parts; {@code port} is the effective port. */
    public Endpoint imdsEndpoint(String scheme, String host, int port) {
        return host == null ? null : imdsEndpoint(scheme, host, 0, host.length(), port);
    }

    /** As {@link #imdsEndpoint(String, String, int)}, the host being {@code text[hostStart, hostEnd)}; allocates nothing. */
    public Endpoint imdsEndpoint(String scheme, String text, int hostStart, int hostEnd, int port) {
        AgentConfig c = config;
        if (c.mode() == Mode.OFF) {
            return null;
        }
        List<Endpoint> endpoints = c.endpoints();
        for (int i = 0, n = endpoints.size(); i < n; i++) {
            if (endpoints.get(i).matches(scheme, text, hostStart, hostEnd, port)) {
                return endpoints.get(i);
            }
        }
        return null;
    }

    /** Decides one IMDS hop and counts it. The caller carries the decision out. */
    public Decision decide(ImdsRequest request) {
        AgentConfig c = config;
        Mode mode = c.mode();
        if (mode == Mode.OFF) {
            return Decision.LEAVE;
        }
        if (!sawImdsRequest.get() && sawImdsRequest.compareAndSet(false, true)) {
            onFirstImdsRequest.run();
        }
        Category category = Category.of(request.path);
        if (request.carriesToken || request.isTokenPut()) {
            counters.countRequest(request.client, "v2", Action.PASSED, category);
            return Decision.LEAVE;
        }

        // Where the request was made, captured now and read only when needed: reading a stack costs more than
        // the rest of the upgrade together (CallerFinder).
        Throwable sentFrom = request.sentFrom != null ? request.sentFrom : new Throwable();
        if (request.unseen) {
            counters.countRequest(request.client, "v1", Action.PASSED, category);
            callSites.recordLater(sentFrom, request.client, category, Action.PASSED);
            return Decision.LEAVE;
        }
        boolean callerDecides = mode != Mode.OBSERVE && !c.upgradeCallers().allowsAll();
        StackTraceElement caller = callerDecides ? CallerFinder.callerFrame(sentFrom) : null;
        String refusal = mode == Mode.OBSERVE ? null : refusal(c, request, caller);
        String token = null;
        if (mode != Mode.OBSERVE && refusal == null) {
            TokenManager.Lease lease = tokens.token(request.endpoint);
            token = lease.token;
            refusal = lease.unavailableReason;
        }

        Action action = token != null ? Action.UPGRADED : mode == Mode.ENFORCE ? Action.BLOCKED : Action.PASSED;
        counters.countRequest(request.client, "v1", action, category);
        if (action != Action.BLOCKED) {
            if (callerDecides) {
                callSites.record(CallerFinder.describe(caller), request.client, category, action);
            } else {
                callSites.recordLater(sentFrom, request.client, category, action);
            }
            return action == Action.UPGRADED ? Decision.upgrade(token) : Decision.LEAVE;
        }
        // Blocked: the failure names the call site, so it is read now.
        if (!callerDecides) {
            caller = CallerFinder.callerFrame(sentFrom);
        }
        String callSite = CallerFinder.describe(caller);
        callSites.record(callSite, request.client, category, action);
        return Decision.block("imdsv2-agent (mode=enforce) blocked a tokenless IMDS request " + request.method + " "
                + request.path + " from " + callSite + ": " + refusal
                + ". Send it with an IMDSv2 token, or allow it in imdsv2.upgrade.callers / imdsv2.upgrade.paths.");
    }

    /** Why this request may not be upgraded, or null when it may. The always-on guards come first. */
    private static String refusal(AgentConfig c, ImdsRequest request, StackTraceElement caller) {
        if (!"GET".equalsIgnoreCase(request.method) && !"HEAD".equalsIgnoreCase(request.method)) {
            return "method " + request.method + " is never upgraded (only GET and HEAD)";
        }
        if (request.forwarded) {
            return "it carries X-Forwarded-For, Forwarded or Via, the mark of a relayed (possibly SSRF) request";
        }
        if (request.proxied) {
            return "it is sent through a proxy, and a token never goes through one";
        }
        if (request.redirectedFromElsewhere) {
            return "it was redirected to IMDS from another host (the classic SSRF path)";
        }
        if (!c.upgradeCallers().allows(caller == null ? null : caller.getClassName())) {
            return "caller " + (caller == null ? "unknown" : caller.getClassName()) + " is not in imdsv2.upgrade.callers";
        }
        if (!c.upgradePaths().allows(request.path)) {
            return "path " + request.path + " is not in imdsv2.upgrade.paths";
        }
        return null;
    }

    /**
     * A token for re-sending a request that IMDS answered 401 after {@link #unauthorized}: the same request
     * was decided and counted already, so this neither decides nor counts again. Null when none can be had.
     */
    public String freshToken(Endpoint endpoint) {
        return config.mode() == Mode.OBSERVE || config.mode() == Mode.OFF ? null : tokens.token(endpoint).token;
    }

    /** IMDS answered 401 to a request the agent upgraded: count it and drop that token. */
    public void unauthorized(String client, Endpoint endpoint, String token) {
        counters.countUnauthorized(client);
        tokens.rejected(endpoint, token);
    }
}
