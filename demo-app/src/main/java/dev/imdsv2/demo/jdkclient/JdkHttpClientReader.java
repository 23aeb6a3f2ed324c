package dev.imdsv2.demo.jdkclient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/**
 * The JDK's own HttpClient (Java 11+; compiled on its own so the rest of the service stays Java 8). The
 * service reaches it as a plain {@code Function} so it never links to this class on Java 8.
 */
public final class JdkHttpClientReader implements Function<String, String> {
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public JdkHttpClientReader(String base) {
        this.base = base;
    }

    @Override
    public String apply(String path) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
