package dev.imdsv2.it.apps;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.transport.ProxyProvider;

/**
 * Legacy-style IMDSv1 calls through Reactor Netty's {@code HttpClient} (1.0 or 1.3, whichever is on the class
 * path): see {@link ClientApp}. {@code sync} blocks on the response ({@code block()}); {@code async} subscribes
 * and waits on a latch, so the response is delivered on Netty's event loop. Redirects are followed the two
 * ways Reactor Netty offers: {@code sync} with {@code followRedirect(true, consumer)} copying the previous
 * hop's headers to the next (the way a token could leak), {@code async} with plain {@code followRedirect(true)}.
 */
public final class ReactorNettyApp extends ClientApp {

    public static void main(String[] args) {
        new ReactorNettyApp().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return HttpClient.class;
    }

    @Override
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        HttpClient client = async ? HttpClient.create().followRedirect(true)
                : HttpClient.create().followRedirect(true, (previous, request) -> request.headers(previous));
        if (proxyPort != null) {
            client = client.proxy(spec -> spec.type(ProxyProvider.Proxy.HTTP).host("127.0.0.1").port(proxyPort));
        }
        client = client.headers(h -> headers.forEach(header -> h.set(header[0], header[1])));
        Mono<String> response = client.get().uri(url).responseSingle((r, body) ->
                body.asString().defaultIfEmpty("").map(text -> r.status().code() + " " + text));
        if (!async) {
            return response.block(Duration.ofSeconds(30));
        }
        AtomicReference<Object> result = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        response.subscribe(value -> {
            result.set(value);
            done.countDown();
        }, error -> {
            result.set(error);
            done.countDown();
        });
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no response in 30 s");
        }
        if (result.get() instanceof Exception) {
            throw (Exception) result.get();
        }
        if (result.get() instanceof Throwable) {
            throw new IllegalStateException((Throwable) result.get());
        }
        return (String) result.get();
    }
}
