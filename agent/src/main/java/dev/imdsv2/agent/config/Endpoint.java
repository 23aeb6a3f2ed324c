package dev.imdsv2.agent.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One IMDS base URL: scheme, host literal and port. Requests are matched against it on the URL alone,
 * never through a DNS lookup, so this is cheap enough to run on every request a client sends.
 */
public final class Endpoint {
    private final String scheme;
    /** Lower case; IPv6 literals without brackets and in canonical form. */
    private final String host;
    private final boolean ipv6;
    private final int port;

    private Endpoint(String scheme, String host, boolean ipv6, int port) {
        this.scheme = scheme;
        this.host = host;
        this.ipv6 = ipv6;
        this.port = port;
    }

    /** Parses {@code http://host[:port]} (an optional trailing "/" is allowed); throws with a readable reason. */
    public static Endpoint parse(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (Exception e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("'" + text + "' must be an http:// URL (IMDS speaks plain HTTP)");
        }
        String rawHost = uri.getHost();
        if (rawHost == null || rawHost.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !"/".equals(path)) || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "' must be a base URL: scheme, host and port only");
        }
        boolean ipv6 = rawHost.startsWith("[");
        String host = ipv6 ? canonicalIpv6(rawHost) : rawHost.toLowerCase(Locale.ROOT);
        if (host == null) {
            throw new IllegalArgumentException("'" + text + "' has an invalid IPv6 address");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has port " + port + ", out of the range 1 to 65535");
        }
        return new Endpoint("http", host, ipv6, port);
    }

    /** The hot-path test: does a request's first hop, given by its URL, target this endpoint? */
    public boolean matches(URL url) {
        int urlPort = url.getPort();
        if (urlPort == -1) {
            urlPort = url.getDefaultPort();
        }
        return matches(url.getProtocol(), url.getHost(), urlPort);
    }

    /**
     * Same test from parts, for clients that do not use {@link URL}. {@code host} may carry IPv6 brackets
     * or not; {@code port} must be the effective port (the scheme's default already applied).
     */
    public boolean matches(String requestScheme, String requestHost, int requestPort) {
        if (requestPort != port || requestHost == null || !scheme.equalsIgnoreCase(requestScheme)) {
            return false;
        }
        if (!ipv6) {
            return host.equalsIgnoreCase(requestHost);
        }
        if (requestHost.indexOf(':') < 0) {
            return false;
        }
        String candidate = requestHost.startsWith("[") ? requestHost : "[" + requestHost + "]";
        return host.equals(canonicalIpv6(candidate));
    }

    /**
     * As above, with the host given as the characters {@code [hostStart, hostEnd)} of {@code text} (a URL a
     * client keeps as a string): nothing is allocated unless that host could be this endpoint's IPv6 literal.
     */
    public boolean matches(String requestScheme, String text, int hostStart, int hostEnd, int requestPort) {
        if (requestPort != port || !scheme.equalsIgnoreCase(requestScheme)) {
            return false;
        }
        if (!ipv6) {
            return hostEnd - hostStart == host.length() && host.regionMatches(true, 0, text, hostStart, host.length());
        }
        return matches(requestScheme, text.substring(hostStart, hostEnd), requestPort);
    }

    /** Canonical text of a bracketed IPv6 literal, parsed without any DNS lookup; null when invalid. */
    private static String canonicalIpv6(String bracketed) {
        if (bracketed.indexOf('%') >= 0) {
            return null; // zone ids never name IMDS
        }
        try {
            // A bracketed literal is only parsed, never looked up: InetAddress rejects it rather than asking DNS.
            return InetAddress.getByName(bracketed).getHostAddress().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    /** The host as it goes into a URL or a Host header (IPv6 in brackets). */
    public String hostForUrl() {
        return ipv6 ? "[" + host + "]" : host;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return scheme + "://" + hostForUrl() + (port == 80 ? "" : ":" + port);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Endpoint)) {
            return false;
        }
        Endpoint other = (Endpoint) o;
        return port == other.port && host.equals(other.host) && scheme.equals(other.scheme);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return baseUrl();
    }
}
