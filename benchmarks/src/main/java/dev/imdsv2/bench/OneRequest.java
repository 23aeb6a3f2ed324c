package dev.imdsv2.bench;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;

/**
 * The trivial program of the whole-process benchmark: one HTTP GET, then it prints the wall-clock time at
 * the end of {@code main} ({@code END <epoch ms>}) so the script can measure start to end of main. Java 8 API only:
 * bench.sh also compiles it for Java 8 and runs it on every JDK the tests cover.
 */
public final class OneRequest {
    public static void main(String[] args) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) new URL(args[0]).openConnection();
        int status = connection.getResponseCode();
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            byte[] buffer = new byte[8192];
            while (in != null && in.read(buffer) >= 0) {
                // read to the end, as a real caller does
            }
        }
        System.out.println("STATUS " + status);
        System.out.println("END " + System.currentTimeMillis());
    }
}
