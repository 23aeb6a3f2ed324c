package dev.imdsv2.agent.clients;

import java.io.IOException;

import dev.imdsv2.agent.config.Endpoint;

/**
 * One hop to IMDS as a client's advice reads it, about to go out: started with {@link ImdsHops#hop}, filled in with
 * what the client knows, then {@link #decide}d. Built for IMDS hops only, never for other traffic.
 */
public final class Hop {
    final String client;
    final Endpoint endpoint;
    final Object exchange;
    boolean firstHop;
    String method;
    String pathOrUri;
    String tokenOnRequest;
    boolean forwarded;
    boolean proxied;
    boolean redirectedFromElsewhere;

    Hop(String client, Endpoint endpoint, Object exchange) {
        this.client = client;
        this.endpoint = endpoint;
        this.exchange = exchange;
    }

    /**
     * This hop starts a new request on the exchange (for clients whose exchange objects are reused, such as Apache
     * contexts): its history is forgotten.
     */
    public Hop firstHop(boolean firstHop) {
        this.firstHop = firstHop;
        return this;
    }

    /**
     * @param pathOrUri      the request path or the request-line URI; scheme, authority and query are ignored
     * @param tokenOnRequest the token header the hop already carries, or null
     */
    public Hop request(String method, String pathOrUri, String tokenOnRequest) {
        this.method = method;
        this.pathOrUri = pathOrUri;
        this.tokenOnRequest = tokenOnRequest;
        return this;
    }

    /** It carries a relay header ({@link ImdsHops#carriesRelayHeader}). */
    public Hop forwarded(boolean forwarded) {
        this.forwarded = forwarded;
        return this;
    }

    /** It goes through a proxy (or the client cannot tell that it does not). */
    public Hop proxied(boolean proxied) {
        this.proxied = proxied;
        return this;
    }

    /** The client itself knows that an earlier hop of the request went to another host. */
    public Hop redirectedFromElsewhere(boolean redirectedFromElsewhere) {
        this.redirectedFromElsewhere = redirectedFromElsewhere;
        return this;
    }

    /**
     * Returns the token to add as {@code X-aws-ec2-metadata-token}, or null to send the hop as it is; throws the
     * enforce-mode failure for the caller.
     */
    public String decide() throws IOException {
        return ImdsHops.decide(this);
    }
}
