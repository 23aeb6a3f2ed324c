package dev.imdsv2.demo;

import java.io.IOException;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** OkHttp 3. */
final class OkHttpReader implements MetadataReader {
    private final String base;
    private final OkHttpClient client = new OkHttpClient();

    OkHttpReader(String base) {
        this.base = base;
    }

    @Override
    public String client() {
        return "OkHttp";
    }

    @Override
    public String get(String path) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(base + path).build()).execute()) {
            if (response.code() != 200) {
                throw new IOException("HTTP " + response.code());
            }
            return response.body().string();
        }
    }
}
