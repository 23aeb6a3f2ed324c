package dev.imdsv2.it.apps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Legacy-style IMDSv1 calls through OkHttp (3.12, 4 or 5, whichever is on the class path): see {@link ClientApp}. */
public final class OkHttpApp extends ClientApp {
    private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(10, TimeUnit.SECONDS).build();

    public static void main(String[] args) {
        new OkHttpApp().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return OkHttpClient.class;
    }

    @Override
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        OkHttpClient c = proxyPort == null ? client
                : client.newBuilder().proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxyPort))).build();
        Request.Builder request = new Request.Builder().url(url);
        for (String[] header : headers) {
            request.header(header[0], header[1]);
        }
        Call call = c.newCall(request.build());
        if (!async) {
            try (Response response = call.execute()) {
                return response.code() + " " + response.body().string();
            }
        }
        CompletableFuture<String> result = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                result.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call done, Response response) throws IOException {
                try (Response r = response) {
                    result.complete(r.code() + " " + r.body().string());
                }
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }
}
