package dev.imdsv2.it.apps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The HTTP clients the reliability tests drive side by side ({@link LoadApp}, {@link FaultProbe}): each is a
 * GET of a URL that answers {@code "<status> <body>"}, or {@code "ERROR <exception>"} when no answer came.
 * Adding a client to those tests is one line in {@link #create()}. The JDK HttpClient is there on Java 11+.
 */
public final class ImdsClients {
    private ImdsClients() {
    }

    /** One instance of each client for this JVM, shared by all threads the way an application shares it, by tag. */
    public static Map<String, Function<String, String>> create() {
        Map<String, Function<String, String>> clients = new LinkedHashMap<>();
        clients.put("urlconnection", url -> UrlConnectionClient.request("GET", url, null, Collections.emptyList()));
        if (Jvm.featureVersion() >= 11) {
            clients.put("jdk-httpclient", Jvm.jdkHttpClient("http1ClientWithWorkers", 4, daemon("jdk-httpclient-worker")));
        }
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
