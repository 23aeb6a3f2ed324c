package dev.imdsv2.it.apps;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.http.HttpHost;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.apache.http.util.EntityUtils;

/**
 * Legacy-style IMDSv1 calls through Apache HttpClient 4 (classic, 4.3+) and HttpAsyncClient 4.1: see
 * {@link ClientApp}. The async classes are touched only by async requests, so the app also runs with a
 * classic-only class path.
 */
public final class ApacheHttpClient4App extends ClientApp {

    public static void main(String[] args) {
        new ApacheHttpClient4App().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return HttpGet.class;
    }

    @Override
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        HttpGet get = new HttpGet(url);
        for (String[] header : headers) {
            get.setHeader(header[0], header[1]);
        }
        HttpHost proxy = proxyPort == null ? null : new HttpHost("127.0.0.1", proxyPort);
        if (!async) {
            try (CloseableHttpClient client = HttpClients.custom().setProxy(proxy).build();
                 CloseableHttpResponse response = client.execute(get)) {
                return response.getStatusLine().getStatusCode() + " " + EntityUtils.toString(response.getEntity());
            }
        }
        try (CloseableHttpAsyncClient client = HttpAsyncClients.custom().setProxy(proxy).build()) {
            client.start();
            HttpResponse response = client.execute(get, null).get(30, TimeUnit.SECONDS);
            return response.getStatusLine().getStatusCode() + " " + EntityUtils.toString(response.getEntity());
        }
    }
}
