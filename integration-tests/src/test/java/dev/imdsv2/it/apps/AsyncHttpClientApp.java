package dev.imdsv2.it.apps;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.asynchttpclient.AsyncCompletionHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.BoundRequestBuilder;
import org.asynchttpclient.DefaultAsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Response;
import org.asynchttpclient.proxy.ProxyServer;

/**
 * Legacy-style IMDSv1 calls through AsyncHttpClient 2.x (whichever is on the class path), following redirects:
 * {@code sync} is {@code execute().get()}, {@code async} an {@code AsyncCompletionHandler} awaited through
 * {@code toCompletableFuture()}. See {@link ClientApp}.
 */
public final class AsyncHttpClientApp extends ClientApp {
    private final AsyncHttpClient client = new DefaultAsyncHttpClient(new DefaultAsyncHttpClientConfig.Builder()
            .setFollowRedirect(true).setRequestTimeout(10_000).build());

    public static void main(String[] args) {
        new AsyncHttpClientApp().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return AsyncHttpClient.class;
    }

    @Override
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        BoundRequestBuilder request = client.prepareGet(url);
        if (proxyPort != null) {
            request.setProxyServer(new ProxyServer.Builder("127.0.0.1", proxyPort).build());
        }
        for (String[] header : headers) {
            request.setHeader(header[0], header[1]);
        }
        if (!async) {
            Response response = request.execute().get(30, TimeUnit.SECONDS);
            return response.getStatusCode() + " " + response.getResponseBody();
        }
        return request.execute(new AsyncCompletionHandler<String>() {
            @Override
            public String onCompleted(Response response) {
                return response.getStatusCode() + " " + response.getResponseBody();
            }
        }).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
