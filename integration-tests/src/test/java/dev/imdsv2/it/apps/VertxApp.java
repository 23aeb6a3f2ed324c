package dev.imdsv2.it.apps;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Legacy-style IMDSv1 calls through Vert.x (4.0 to 5.x, whichever is on the class path), see {@link ClientApp}. Modes:
 * {@code blocking} ({@code WebClient}, waiting on its future), {@code async} ({@code WebClient}, a callback) and
 * {@code core} (the core {@code HttpClient}, following redirects itself). Compiled against Vert.x 4.0: only API that
 * Vert.x 5 keeps binary-compatible is called directly.
 */
public final class VertxApp extends ClientApp {
    private final Vertx vertx = Vertx.vertx();
    private final WebClient direct = WebClient.create(vertx);

    public static void main(String[] args) {
        new VertxApp().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return WebClient.class;
    }

    @Override
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        return get(async ? "async" : "blocking", url, proxyPort, headers);
    }

    @Override
    String get(String mode, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        ProxyOptions proxy = proxyPort == null ? null : new ProxyOptions().setHost("127.0.0.1").setPort(proxyPort);
        if (mode.equals("core")) {
            return coreGet(url, proxy, headers);
        }
        WebClient client = proxy == null ? direct : WebClient.create(vertx, new WebClientOptions().setProxyOptions(proxy));
        HttpRequest<Buffer> request = client.getAbs(url);
        for (String[] header : headers) {
            request.putHeader(header[0], header[1]);
        }
        if (mode.equals("blocking")) {
            HttpResponse<Buffer> response = request.send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return response.statusCode() + " " + response.bodyAsString();
        }
        CompletableFuture<String> result = new CompletableFuture<>();
        request.send().map(r -> r.statusCode() + " " + r.bodyAsString()).onComplete(done -> complete(result, done));
        return result.get(30, TimeUnit.SECONDS);
    }

    private String coreGet(String url, ProxyOptions proxy, List<String[]> headers) throws Exception {
        HttpClientOptions options = new HttpClientOptions();
        if (proxy != null) {
            options.setProxyOptions(proxy);
        }
        // Vert.x 5 returns an HttpClientAgent (an HttpClient) here: a method Vert.x 4's API cannot name.
        HttpClient client = (HttpClient) Vertx.class.getMethod("createHttpClient", HttpClientOptions.class).invoke(vertx, options);
        RequestOptions request = new RequestOptions().setAbsoluteURI(url).setFollowRedirects(true);
        for (String[] header : headers) {
            request.putHeader(header[0], header[1]);
        }
        // Chained on one Vert.x context, as a verticle would. Chained from this thread, body() came after the response
        // had ended whenever this thread was slower than the response (a cold JVM, now and then), and the future
        // never completed: a Vert.x race, which CI hit without the agent.
        CompletableFuture<String> result = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(ignored -> {
            try {
                client.request(request)
                        .compose(r -> r.send())
                        .compose(r -> r.body().map(body -> r.statusCode() + " " + body))
                        .onComplete(done -> complete(result, done));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    private static void complete(CompletableFuture<String> result, AsyncResult<String> done) {
        if (done.succeeded()) {
            result.complete(done.result());
        } else {
            result.completeExceptionally(done.cause());
        }
    }
}
