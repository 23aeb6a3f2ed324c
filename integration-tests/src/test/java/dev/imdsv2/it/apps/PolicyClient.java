package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * Two callers in one application, for the caller policy: {@link Trusted} stands for code an operator allows
 * (an SDK), {@link Untrusted} for everything else. Reads commands from stdin — {@code trusted URL},
 * {@code untrusted URL}, {@code exit} — so the test can change the agent's mode in between, and prints
 * {@code RESULT <status> <body>} or {@code RESULT ERROR <exception>} for each.
 */
public final class PolicyClient {

    public static void main(String[] args) throws IOException {
        System.out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            String[] command = line.split(" ", 2);
            String result = command[0].equals("trusted") ? Trusted.get(command[1]) : Untrusted.get(command[1]);
            System.out.println("RESULT " + result);
            System.out.flush();
        }
    }

    /** The call site is the frame that sends the request, so each caller sends its own. */
    public static final class Trusted {
        static String get(String url) {
            try {
                HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
                return connection.getResponseCode() + " " + body(connection);
            } catch (IOException e) {
                return "ERROR " + e;
            }
        }
    }

    public static final class Untrusted {
        static String get(String url) {
            try {
                HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
                return connection.getResponseCode() + " " + body(connection);
            } catch (IOException e) {
                return "ERROR " + e;
            }
        }
    }

    private static String body(HttpURLConnection connection) throws IOException {
        InputStream body = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream();
        return body == null ? "" : new String(Jvm.readAll(body), StandardCharsets.UTF_8).trim();
    }
}
