package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A running legacy service for the attach tests: started without the agent, it calls IMDS the v1 way
 * through each client named on its command line, on command from stdin: {@code round} (one request per
 * client), {@code loop <ms>} (a round every ms until {@code stop}), {@code exit}. Prints {@code READY <pid>},
 * then {@code RESULT <client> <epoch ms> <status> <body>} per request and {@code STOPPED} after a loop.
 */
public final class AttachTarget {
    /** Client name → one tokenless GET of the URL, answering "status body" or "ERROR ...". A new client is one line here. */
    private static final Map<String, UnaryOperator<String>> CLIENTS = new LinkedHashMap<>();

    static {
        CLIENTS.put("urlconnection", url -> UrlConnectionClient.request("GET", url, null, Collections.emptyList()));
        if (Jvm.featureVersion() >= 11) {
            CLIENTS.put("jdk-httpclient", Jvm.jdkHttpClient("defaultClient"));
        }
    }

    private static volatile boolean looping;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        List<String> clients = Arrays.asList(args).subList(1, args.length);
        for (String client : clients) {
            if (!CLIENTS.containsKey(client)) {
                throw new IllegalArgumentException("unknown client " + client + "; known: " + CLIENTS.keySet());
            }
        }
        System.out.println("READY " + Jvm.pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Thread loop = null;
        String line;
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            if (line.equals("round")) {
                round(url, clients);
            } else if (line.startsWith("loop ")) {
                long interval = Long.parseLong(line.substring(5));
                looping = true;
                loop = new Thread(() -> {
                    while (looping) {
                        round(url, clients);
                        sleep(interval);
                    }
                }, "attach-target-loop");
                loop.start();
            } else if (line.equals("stop")) {
                looping = false;
                loop.join();
                System.out.println("STOPPED");
            }
        }
        looping = false;
    }

    private static void round(String url, List<String> clients) {
        for (String client : clients) {
            String result = CLIENTS.get(client).apply(url);
            System.out.println("RESULT " + client + " " + System.currentTimeMillis() + " " + result);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
