package dev.imdsv2.it.apps;

import java.util.Collections;

/**
 * One IMDSv1 GET through each client in one JVM: HttpURLConnection, the JDK HttpClient (Java 11+), OkHttp, Apache HttpClient 4
 * and 5; then the agent's request counts ({@code COUNT} lines).
 */
public final class MixedClientsApp {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        System.out.println("RESULT urlconnection " + UrlConnectionClient.request("GET", url, null, Collections.emptyList()));
        if (Jvm.featureVersion() >= 11) {
            System.out.println("RESULT jdk-httpclient " + Jvm.jdkHttpClient("defaultClient").apply(url));
        }
        System.out.println("RESULT okhttp " + new OkHttpApp().get(false, url, null, Collections.emptyList()));
        System.out.println("RESULT apache4 " + new ApacheHttpClient4App().get(false, url, null, Collections.emptyList()));
        System.out.println("RESULT apache4-async " + new ApacheHttpClient4App().get(true, url, null, Collections.emptyList()));
        System.out.println("RESULT apache5 " + new ApacheHttpClient5App().get(false, url, null, Collections.emptyList()));
        System.out.println("RESULT apache5-async " + new ApacheHttpClient5App().get(true, url, null, Collections.emptyList()));
        AgentCounts.print();
        System.out.flush();
        System.exit(0);
    }
}
