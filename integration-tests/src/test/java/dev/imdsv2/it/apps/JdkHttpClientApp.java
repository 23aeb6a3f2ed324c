package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.amazonaws.auth.InstanceProfileCredentialsProvider;
import com.amazonaws.util.EC2MetadataUtils;

/**
 * A legacy-style application that calls IMDS the v1 way with {@code java.net.http.HttpClient}. Commands
 * are separated by {@code --}; each request prints {@code RESULT <status> <body>} (or {@code RESULT ERROR ...}).
 * <ul>
 *   <li>{@code send|sendAsync http1|default URL [Header=value...]}: a GET, following redirects (NORMAL)</li>
 *   <li>{@code proxied PROXY_PORT URL}: a GET through an HTTP proxy on 127.0.0.1 ({@code ProxySelector.of})</li>
 *   <li>{@code urlconnection URL}: a GET with HttpURLConnection, for a JVM that mixes both clients</li>
 *   <li>{@code interactive URL}: prints {@code READY}, then one {@code send} of URL per "get" line on stdin, until "exit"</li>
 *   <li>{@code awsSdk}: the instance id and the instance-profile credentials through the AWS SDK for Java v1
 *       on the class path, pointed at the simulator by {@code -Dcom.amazonaws.sdk.ec2MetadataServiceEndpointOverride}</li>
 *   <li>{@code counts}: the agent's request counts, read from its MBean, as {@code COUNT key value} lines</li>
 * </ul>
 */
public final class JdkHttpClientApp {

    public static void main(String[] args) throws Exception {
        Commands.runEach(args, JdkHttpClientApp::run);
    }

    private static void run(List<String> c) throws Exception {
        switch (c.get(0)) {
            case "send", "sendAsync" -> {
                HttpClient client = HttpClient.newBuilder()
                        .version(c.get(1).equals("http1") ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                result(get(client, c.get(0).equals("sendAsync"), c.get(2), c.subList(3, c.size())));
            }
            case "proxied" -> {
                HttpClient client = HttpClient.newBuilder()
                        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(c.get(1)))))
                        .build();
                result(get(client, false, c.get(2), List.of()));
            }
            case "urlconnection" -> result(UrlConnectionClient.request("GET", c.get(1), null, List.of()));
            case "interactive" -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                System.out.println("READY");
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("exit")) {
                    result(get(client, false, c.get(1), List.of()));
                }
            }
            case "awsSdk" -> {
                result("instance-id " + EC2MetadataUtils.getInstanceId());
                result("credentials " + new InstanceProfileCredentialsProvider(false).getCredentials().getAWSAccessKeyId());
            }
            case "counts" -> AgentCounts.print();
            default -> throw new IllegalArgumentException("unknown command " + c);
        }
    }

    static String get(HttpClient client, boolean async, String url, List<String> headers) {
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
            for (String header : headers) {
                int eq = header.indexOf('=');
                builder.header(header.substring(0, eq), header.substring(eq + 1));
            }
            HttpRequest request = builder.build();
            HttpResponse<String> response = async
                    ? client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(20, TimeUnit.SECONDS)
                    : client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body().replace('\n', ' ').trim();
        } catch (Exception e) {
            return "ERROR " + e;
        }
    }

    private static void result(String text) {
        System.out.println("RESULT " + text);
        System.out.flush();
    }
}
