package dev.imdsv2.testapps.boot;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot service with actuator and the Prometheus registry that, once started, reads IMDS the v1 way
 * ({@code --imds.url=...}) and prints {@code IMDS <status> <body>}, then {@code READY}; it keeps serving
 * {@code /actuator/prometheus} until it is stopped.
 */
@SpringBootApplication
public class BootApp {

    public static void main(String[] args) {
        SpringApplication.run(BootApp.class, args);
    }

    @Bean
    ApplicationRunner readInstanceIdentity(@Value("${imds.url}") String url) {
        return args -> {
            HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
                System.out.println("IMDS " + status + " " + text.trim());
            }
            System.out.println("READY");
        };
    }
}
