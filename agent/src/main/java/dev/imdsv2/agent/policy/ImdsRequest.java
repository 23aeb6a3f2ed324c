package dev.imdsv2.agent.policy;

import dev.imdsv2.agent.config.Endpoint;
import dev.imdsv2.agent.report.Category;

/**
 * What a client instrumentation knows about one hop of a request whose target is IMDS: all the
 * decision path needs, and nothing client-specific. Built only for IMDS hops, never for other traffic.
 */
public final class ImdsRequest {
    final String client;
    final Endpoint endpoint;
    final String method;
    final String path;
    final boolean carriesToken;
    final boolean forwarded;
    final boolean proxied;
    final boolean redirectedFromElsewhere;
    final Throwable sentFrom;
    /** The agent sees only a connection to IMDS, not the request on it (see {@link #unseen}). */
    final boolean unseen;

    /**
     * @param client                  the client tag, e.g. {@code urlconnection}
     * @param endpoint                the IMDS endpoint the hop targets
     * @param method                  the HTTP method
     * @param path                    the request path, without the query
     * @param carriesToken            the request already has {@code X-aws-ec2-metadata-token}
     * @param forwarded               it has {@code X-Forwarded-For}, {@code Forwarded} or {@code Via}
     * @param proxied                 it is sent through a proxy
     * @param redirectedFromElsewhere an earlier hop of the same request went to a host that is not IMDS
     */
    public ImdsRequest(String client, Endpoint endpoint, String method, String path, boolean carriesToken,
                       boolean forwarded, boolean proxied, boolean redirectedFromElsewhere) {
        this(client, endpoint, method, path, carriesToken, forwarded, proxied, redirectedFromElsewhere, null);
    }

    /**
     * As above, for a client that sends the hop on a thread of its own: {@code sentFrom} was created on the
     * thread that made the request, and its stack names the call site (null: take it from this thread).
     */
    public ImdsRequest(String client, Endpoint endpoint, String method, String path, boolean carriesToken,
                       boolean forwarded, boolean proxied, boolean redirectedFromElsewhere, Throwable sentFrom) {
        this(client, endpoint, method, path, carriesToken, forwarded, proxied, redirectedFromElsewhere, sentFrom, false);
    }

    private ImdsRequest(String client, Endpoint endpoint, String method, String path, boolean carriesToken,
                        boolean forwarded, boolean proxied, boolean redirectedFromElsewhere, Throwable sentFrom,
                        boolean unseen) {
        this.client = client;
        this.endpoint = endpoint;
        this.method = method == null ? "GET" : method;
        this.path = path == null || path.isEmpty() ? "/" : path;
        this.carriesToken = carriesToken;
        this.forwarded = forwarded;
        this.proxied = proxied;
        this.redirectedFromElsewhere = redirectedFromElsewhere;
        this.sentFrom = sentFrom;
        this.unseen = unseen;
    }

    /**
     * A connection to IMDS whose request the agent can neither read nor change (an NIO channel, bytes that
     * are not HTTP/1.x): counted as v1 and passed, its call site reported, never upgraded and never blocked,
     * since it may well carry a token. The readiness verdict stays "not ready" while such calls are seen.
     */
    public static ImdsRequest unseen(String client, Endpoint endpoint, Throwable sentFrom) {
        return new ImdsRequest(client, endpoint, null, null, false, false, false, false, sentFrom, true);
    }

    boolean isTokenPut() {
        return "PUT".equalsIgnoreCase(method) && Category.of(path) == Category.TOKEN;
    }
}
