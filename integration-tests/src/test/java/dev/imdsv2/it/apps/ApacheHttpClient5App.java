package dev.imdsv2.it.apps;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/** Legacy-style IMDSv1 calls through Apache HttpClient 5, classic and async: see {@link ClientApp}. */
public final class ApacheHttpClient5App extends ClientApp {

    public static void main(String[] args) {
        new ApacheHttpClient5App().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return HttpGet.class;
    }

    @Override
    @SuppressWarnings("deprecation") // execute(request) is the call legacy code makes; it exists from 5.0 on
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        HttpHost proxy = proxyPort == null ? null : new HttpHost("127.0.0.1", proxyPort);
        if (!async) {
            HttpGet get = new HttpGet(url);
            for (String[] header : headers) {
                get.setHeader(header[0], header[1]);
            }
            try (CloseableHttpClient client = HttpClients.custom().setProxy(proxy).build();
                 CloseableHttpResponse response = client.execute(get)) {
                return response.getCode() + " " + EntityUtils.toString(response.getEntity());
            }
        }
        SimpleHttpRequest get = new SimpleHttpRequest("GET", URI.create(url));
        for (String[] header : headers) {
            get.setHeader(header[0], header[1]);
        }
        try (CloseableHttpAsyncClient client = HttpAsyncClients.custom().setProxy(proxy).build()) {
            client.start();
            SimpleHttpResponse response = client.execute(get, null).get(30, TimeUnit.SECONDS);
            return response.getCode() + " " + response.getBodyText();
        }
    }
}
