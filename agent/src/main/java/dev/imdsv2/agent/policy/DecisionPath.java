package dev.imdsv2.agent.policy;

import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.CallSites;
import dev.imdsv2.agent.report.CallerFinder;
import dev.imdsv2.agent.report.Category;
import dev.imdsv2.agent.report.RequestCounters;
import dev.imdsv2.agent.token.TokenManager;

/**
 * The one decision every client instrumentation calls: is this IMDS? v1 or v2? may I upgrade it?
 * count it. Clients differ only in how they read a request and add a header; what happens to an
 * IMDS request is decided here, once, for all of them (README.md, "What it does to a request" and "Security model").
 */
public final class DecisionPath {
    public static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    /**
     * The headers that mark a relayed request (a proxy, a gateway, an SSRF relay): every client checks these, and a
     * request carrying any of them is never upgraded.
     */
    public static final List<String> RELAY_HEADERS =
            Collections.unmodifiableList(Arrays.asList("X-Forwarded-For", "Forwarded", "Via"));

    /** A request's headers, asked one name at a time (case-insensitively, as HTTP header names compare). */
    public interface Headers {
        boolean has(String name) throws Exception;
    }

    /**
     * Whether the request carries a relay header ({@link #RELAY_HEADERS}). Headers that cannot be read count as
     * relayed: such a request is never upgraded.
     */
    public static boolean carriesRelayHeader(Headers request) {
        for (String relayHeader : RELAY_HEADERS) {
            try {
                if (request.has(relayHeader)) {
                    return true;
                }
            } catch (Exception unreadable) {
                return true;
            }
        }
        return false;
    }

    /** Whether one header name is a relay header, for clients that see a request's headers one by one. */
    public static boolean isRelayHeader(String name) {
        return name != null && carriesRelayHeader(new OneHeader(name));
    }

    private static final class OneHeader implements Headers {
        private final String name;

        OneHeader(String name) {
            this.name = name;
        }

        @Override
        public boolean has(String relayHeader) {
            return relayHeader.equalsIgnoreCase(name);
        }
    }

    /** A redirect: any 3xx. Every client asks this, so that they all treat the same responses as redirects. */
    public static boolean isRedirect(int status) {
        return status >= 300 && status <= 399;
    }

    /**
     * The responses a hop reports to the agent: a 401 (IMDS may have dropped the token of an upgraded hop) and a
     * redirect (a later hop into IMDS must get no token). Every other response goes by untouched.
     */
    public static boolean isReportedResponse(int status) {
        return status == 401 || isRedirect(status);
    }

    /** {@link #isReportedResponse} for the JDK's hooks, which cannot link to the agent's classes. */
    public static final IntPredicate REPORTED_RESPONSES = new IntPredicate() {
        @Override
        public boolean test(int status) {
            return isReportedResponse(status);
        }
    };

    private final TokenManager tokens;
    private final RequestCounters counters;
    private final CallSites callSites;
    private final Runnable onFirstImdsRequest;
    private final AtomicBoolean sawImdsRequest = new AtomicBoolean();
    private final RedirectsIntoImds redirectsIntoImds = new RedirectsIntoImds();
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

    /**
     * The IMDS endpoint of a URL kept as a string ({@code scheme://[user@]host[:port][/path]}), or null. Only
     * {@code http} and {@code https} URLs can be IMDS; the scheme is read in any case, as every client reads it. The
     * URL is read in place: nothing is allocated for a host that is not IMDS.
     */
    public Endpoint imdsEndpointOfUrl(String url) {
        if (url == null) {
            return null;
        }
        String scheme;
        if (url.regionMatches(true, 0, "http://", 0, 7)) {
            scheme = "http";
        } else if (url.regionMatches(true, 0, "https://", 0, 8)) {
            scheme = "https";
        } else {
            return null; // ws, wss, a relative reference, ...
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
        return imdsEndpoint(scheme, url, hostStart, hostEnd, port);
    }

    /**
     * A hop answered a redirect. When the hop's host is not IMDS and {@code location} targets IMDS, a request
     * to that target in the next seconds gets no token, whoever sends it: see {@link RedirectsIntoImds}. Call
     * it for 3xx answers only; {@code hopScheme} resolves a scheme-relative {@code //host/path} location.
     */
    public void redirectAnswered(Endpoint hopEndpoint, String hopScheme, String location) {
        if (hopEndpoint != null || location == null) {
            return; // IMDS redirecting within itself, or no target
        }
        String absolute = location.trim();
        if (absolute.startsWith("//")) {
            absolute = (hopScheme == null ? "http" : hopScheme) + ":" + absolute;
        }
        Endpoint target = imdsEndpointOfUrl(absolute);
        if (target != null) {
            redirectsIntoImds.note(target, pathOf(absolute), System.nanoTime());
        }
    }

    /** The path of a request-line URI or URL: without scheme, authority, query and fragment; "/" when empty. */
    public static String pathOf(String pathOrUri) {
        if (pathOrUri == null) {
            return "/";
        }
        String path = pathOrUri;
        int scheme = path.indexOf("://");
        if (scheme > 0 && path.charAt(0) != '/') {
            int authorityEnd = scheme + 3;
            while (authorityEnd < path.length() && "/?#".indexOf(path.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            path = authorityEnd < path.length() && path.charAt(authorityEnd) == '/' ? path.substring(authorityEnd) : "/";
        }
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        int fragment = path.indexOf('#');
        path = fragment < 0 ? path : path.substring(0, fragment);
        return path.isEmpty() ? "/" : path;
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
            trace(request, "v2", Action.PASSED, category, null, null);
            return Decision.LEAVE;
        }

        // Where the request was made, captured now and read only when needed: reading a stack costs more than
        // the rest of the upgrade together (CallerFinder).
        Throwable sentFrom = request.sentFrom != null ? request.sentFrom : new Throwable();
        if (request.unseen) {
            counters.countRequest(request.client, "v1", Action.PASSED, category);
            callSites.recordLater(sentFrom, request.client, category, Action.PASSED);
            trace(request, "v1", Action.PASSED, category, "the agent sees the connection, not the request on it", sentFrom);
            return Decision.LEAVE;
        }
        boolean callerDecides = mode != Mode.OBSERVE && !c.upgradeCallers().allowsAll();
        StackTraceElement caller = callerDecides ? CallerFinder.callerFrame(sentFrom) : null;
        String refusal = mode == Mode.OBSERVE ? null : refusal(c, request, caller,
                request.redirectedFromElsewhere || redirectsIntoImds.marked(request.endpoint, request.path, System.nanoTime()));
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
            trace(request, "v1", action, category, mode == Mode.OBSERVE ? "observe mode" : refusal, sentFrom);
            return action == Action.UPGRADED ? Decision.upgrade(token) : Decision.LEAVE;
        }
        // Blocked: the failure names the call site, so it is read now.
        if (!callerDecides) {
            caller = CallerFinder.callerFrame(sentFrom);
        }
        String callSite = CallerFinder.describe(caller);
        callSites.record(callSite, request.client, category, action);
        trace(request, "v1", action, category, refusal, sentFrom);
        return Decision.block("imdsv2-agent (mode=enforce) blocked a tokenless IMDS request " + request.method + " "
                + request.path + " from " + callSite + ": " + refusal
                + ". Send it with an IMDSv2 token, or allow it in imdsv2.upgrade.callers / imdsv2.upgrade.paths.");
    }

    /**
     * At debug, one line per IMDS decision, for a person tracing a request: what was decided and why, and where the
     * request was made. Never the token. Costs one level check otherwise.
     */
    private static void trace(ImdsRequest request, String version, Action action, Category category, String reason,
                              Throwable sentFrom) {
        if (!AgentLog.debugEnabled()) {
            return;
        }
        String site = sentFrom == null ? "-" : CallerFinder.describe(CallerFinder.callerFrame(sentFrom));
        AgentLog.debug("decision").with("site", site).with("client", request.client).with("category", category.tag())
                .with("action", action.tag()).with("version", version).with("method", request.method)
                .with("path", request.path).with("reason", reason == null ? "-" : reason)
                .log("decision: {} {} {} from {}: {} {} ({}){}", request.client, request.method, request.path, site,
                        version, action.tag(), category.tag(), reason == null ? "" : ": " + reason);
    }

    /** Why this request may not be upgraded, or null when it may. The always-on guards come first. */
    private static String refusal(AgentConfig c, ImdsRequest request, StackTraceElement caller, boolean redirectedFromElsewhere) {
        if (!"GET".equalsIgnoreCase(request.method) && !"HEAD".equalsIgnoreCase(request.method)) {
            return "method " + request.method + " is never upgraded (only GET and HEAD)";
        }
        if (request.forwarded) {
            return "it carries X-Forwarded-For, Forwarded or Via, the mark of a relayed (possibly SSRF) request";
        }
        if (request.proxied) {
            return "it is sent through a proxy, and a token never goes through one";
        }
        if (redirectedFromElsewhere) {
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
