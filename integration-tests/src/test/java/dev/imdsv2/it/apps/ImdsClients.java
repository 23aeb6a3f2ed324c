package dev.imdsv2.it.apps;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The HTTP clients the reliability tests drive side by side ({@link LoadApp}, {@link FaultProbe}): each is a
 * GET of a URL that answers {@code "<status> <body>"}, or {@code "ERROR <exception>"} when no answer came.
 * Adding a client to those tests is one line in {@link #create()}.
 */
public final class ImdsClients {
    private ImdsClients() {
    }

    /** One instance of each client for this JVM, shared by all threads the way an application shares it, by tag. */
    public static Map<String, Function<String, String>> create() {
        Map<String, Function<String, String>> clients = new LinkedHashMap<>();
        clients.put("urlconnection", url -> UrlConnectionClient.request("GET", url, null, List.of()));
        HttpClient jdkClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(4, daemon("jdk-httpclient-worker"))) // a fixed set: thread counts stay comparable
                .build();
        clients.put("jdk-httpclient", url -> JdkHttpClientApp.get(jdkClient, false, url, List.of()));
        return clients;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
