package dev.imdsv2.it.apps;

import java.util.List;

/**
 * One IMDSv1 GET through each client in one JVM: HttpURLConnection, the JDK HttpClient, OkHttp, Apache HttpClient 4
 * and 5; then the agent's request counts ({@code COUNT} lines).
 */
public final class MixedClientsApp {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        System.out.println("RESULT urlconnection " + UrlConnectionClient.request("GET", url, null, List.of()));
        java.net.http.HttpResponse<String> jdk = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        System.out.println("RESULT jdk-httpclient " + jdk.statusCode() + " " + jdk.body().trim());
        System.out.println("RESULT okhttp " + new OkHttpApp().get(false, url, null, List.of()));
        System.out.println("RESULT apache4 " + new ApacheHttpClient4App().get(false, url, null, List.of()));
        System.out.println("RESULT apache4-async " + new ApacheHttpClient4App().get(true, url, null, List.of()));
        System.out.println("RESULT apache5 " + new ApacheHttpClient5App().get(false, url, null, List.of()));
        System.out.println("RESULT apache5-async " + new ApacheHttpClient5App().get(true, url, null, List.of()));
        AgentCounts.print();
        System.out.flush();
        System.exit(0);
    }
}
