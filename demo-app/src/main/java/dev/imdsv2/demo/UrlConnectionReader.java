package dev.imdsv2.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;

/** The oldest way there is: {@code new URL(...)} and HttpURLConnection. */
final class UrlConnectionReader implements MetadataReader {
    private final String base;

    UrlConnectionReader(String base) {
        this.base = base;
    }

    @Override
    public String client() {
        return "HttpURLConnection";
    }

    @Override
    public String get(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(base + path).openConnection();
        connection.setConnectTimeout(2000);
        connection.setReadTimeout(2000);
        int status = connection.getResponseCode();
        if (status != 200) {
            throw new IOException("HTTP " + status);
        }
        try (InputStream in = connection.getInputStream()) {
            return Streams.read(in);
        }
    }
}
