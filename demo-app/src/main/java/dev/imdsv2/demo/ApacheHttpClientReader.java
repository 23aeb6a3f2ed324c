package dev.imdsv2.demo;

import java.io.IOException;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/** Apache HttpClient 4, as countless in-house libraries use it. */
final class ApacheHttpClientReader implements MetadataReader {
    private final String base;
    private final CloseableHttpClient client = HttpClients.createDefault();

    ApacheHttpClientReader(String base) {
        this.base = base;
    }

    @Override
    public String client() {
        return "Apache HttpClient 4";
    }

    @Override
    public String get(String path) throws IOException {
        try (CloseableHttpResponse response = client.execute(new HttpGet(base + path))) {
            int status = response.getStatusLine().getStatusCode();
            String body = EntityUtils.toString(response.getEntity());
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            return body;
        }
    }
}
