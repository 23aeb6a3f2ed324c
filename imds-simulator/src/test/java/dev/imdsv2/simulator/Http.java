package dev.imdsv2.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP/1.1 client for the tests: no redirects followed, a generous timeout. */
final class Http {
    static final String TTL = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN = "X-aws-ec2-metadata-token";

    private final HttpClient client;

    Http() {
        this(HttpClient.newBuilder());
    }

    private Http(HttpClient.Builder builder) {
        client = builder.version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** A client that sends every request through the given forward proxy. */
    static Http viaProxy(int proxyPort) {
        return new Http(HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort))));
    }

    HttpResponse<String> send(String method, String url, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String url, String... headers) {
        return send("GET", url, headers);
    }

    /** A token PUT that must succeed; returns the token. */
    String token(ImdsSimulator imds, int ttlSeconds) {
        HttpResponse<String> response =
                send("PUT", imds.baseUrl() + "/latest/api/token", TTL, Integer.toString(ttlSeconds));
        if (response.statusCode() != 200) {
            throw new AssertionError("token PUT answered " + response.statusCode());
        }
        return response.body();
    }
}
