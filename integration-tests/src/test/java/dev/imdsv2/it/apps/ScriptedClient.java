package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * A legacy application driven line by line from stdin, so a test can change the simulator or the agent (JMX)
 * between two requests. Prints {@code READY}, then one {@code RESULT ...} line per command:
 * <ul>
 *   <li>{@code get URL [Header=value ...]}: a GET with HttpURLConnection ({@code RESULT <status> <body>})</li>
 *   <li>{@code ownToken BASE_URL}: IMDSv2 done by the application itself, PUT then GET with the token</li>
 *   <li>{@code sites CLASS BASE_URL N}: N requests, the i-th to a path of its own (5 categories) from call site
 *       {@code CLASS.site(i % 100)}, a class the test generated with 100 such methods</li>
 *   <li>{@code threads}: {@code THREAD <name>} per live thread</li>
 *   <li>{@code exit}</li>
 * </ul>
 */
public final class ScriptedClient {
    private static final String[] CATEGORY_PATHS = {
        "/latest/meta-data/iam/security-credentials/", "/latest/dynamic/instance-identity/",
        "/latest/meta-data/placement/", "/latest/user-data/", "/latest/meta-data/",
    };

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        String line;
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            List<String> c = Arrays.asList(line.trim().split(" "));
            switch (c.get(0)) {
                case "get":
                    result(UrlConnectionClient.request("GET", c.get(1), null, c.subList(2, c.size())));
                    break;
                case "ownToken": {
                    HttpURLConnection put = (HttpURLConnection) new URL(c.get(1) + "/latest/api/token").openConnection();
                    put.setRequestMethod("PUT");
                    put.setRequestProperty("X-aws-ec2-metadata-token-ttl-seconds", "60");
                    try (InputStream body = put.getInputStream()) {
                        String token = new String(Jvm.readAll(body), StandardCharsets.UTF_8);
                        result(UrlConnectionClient.request("GET", c.get(1) + "/latest/meta-data/instance-id", null,
                                Collections.singletonList("X-aws-ec2-metadata-token=" + token)));
                    }
                    break;
                }
                case "sites":
                    sites(c.get(1), c.get(2), Integer.parseInt(c.get(3)));
                    break;
                case "threads": {
                    for (Thread thread : Thread.getAllStackTraces().keySet()) {
                        System.out.println("THREAD " + thread.getName());
                    }
                    result("threads");
                    break;
                }
                default:
                    result("ERROR unknown command " + line);
                    break;
            }
        }
    }

    private static void sites(String className, String baseUrl, int requests) throws Exception {
        Class<?> sites = Class.forName(className);
        TreeMap<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            Method site = sites.getMethod("site" + (i % 100), String.class);
            String url = baseUrl + CATEGORY_PATHS[i % CATEGORY_PATHS.length] + "p" + i;
            statuses.merge((Integer) site.invoke(null, url), 1, Integer::sum);
        }
        result("statuses " + statuses);
    }

    private static void result(String text) {
        System.out.println("RESULT " + text);
        System.out.flush();
    }
}
