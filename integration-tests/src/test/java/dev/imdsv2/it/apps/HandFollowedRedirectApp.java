package dev.imdsv2.it.apps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.List;

import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.javanet.NetHttpTransport;

/**
 * Code that follows redirects itself, the way an SSRF-prone service does: each hop is a new request made by the
 * application. Commands, separated by {@code --}: {@code urlconnection URL} (a loop over {@code HttpURLConnection}s
 * with {@code setInstanceFollowRedirects(false)}, reading {@code Location}) and {@code google URL} (the Google HTTP
 * client's {@code NetHttpTransport}, which follows redirects that way on its own). Each prints
 * {@code RESULT <status> <body>}.
 */
public final class HandFollowedRedirectApp {

    public static void main(String[] args) throws Exception {
        Commands.runEach(args, HandFollowedRedirectApp::run);
    }

    private static void run(List<String> c) throws Exception {
        if (c.isEmpty()) {
            return;
        }
        String result;
        try {
            if (c.get(0).equals("urlconnection")) {
                result = followByHand(c.get(1));
            } else if (c.get(0).equals("google")) {
                result = Google.get(c.get(1));
            } else {
                throw new IllegalArgumentException("unknown command " + c);
            }
        } catch (IOException e) {
            result = "ERROR " + e;
        }
        System.out.println("RESULT " + result.replace('\n', ' ').trim());
        System.out.flush();
    }

    private static String followByHand(String url) throws IOException {
        URL next = new URL(url);
        for (int hop = 0; hop < 5; hop++) {
            HttpURLConnection connection = (HttpURLConnection) next.openConnection();
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(10000);
            int status = connection.getResponseCode();
            String location = connection.getHeaderField("Location");
            if (status / 100 != 3 || location == null) {
                InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
                return status + " " + (body == null ? "" : text(body));
            }
            next = new URL(next, location);
        }
        return "ERROR too many redirects";
    }

    static String text(InputStream in) throws IOException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return new String(out.toByteArray(), "UTF-8");
        } finally {
            in.close();
        }
    }

    /** Apart, so that the Google client's classes are only needed by the {@code google} command. */
    private static final class Google {
        static String get(String url) throws IOException {
            HttpResponse response = new NetHttpTransport().createRequestFactory()
                    .buildGetRequest(new GenericUrl(url))
                    .setThrowExceptionOnExecuteError(false) // a 401 is a result here, not a failure
                    .execute(); // its redirects count against its retries: the default 10 are kept
            try {
                return response.getStatusCode() + " " + response.parseAsString();
            } finally {
                response.disconnect();
            }
        }
    }

    private HandFollowedRedirectApp() {
    }
}
