package dev.imdsv2.testapps.bootstartup;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

/**
 * The Spring Boot service of the start-up benchmark (web and actuator): while it starts, one of its beans reads the
 * instance id from IMDS ({@code --imds.url=...}) the v1 way through the auto-configured {@code RestClient}, which
 * takes Apache HttpClient 5 when that is on the class path, and prints {@code IMDS <status> <body>}.
 * So the client's classes have loaded, and been instrumented, by the time Spring logs "Started".
 */
@SpringBootApplication
public class BootStartupApp {

    public static void main(String[] args) {
        SpringApplication.run(BootStartupApp.class, args);
    }

    /** What IMDS said while the service started. */
    public record InstanceIdentity(int status, String instanceId) {
    }

    @Bean
    InstanceIdentity instanceIdentity(RestClient.Builder restClients, @Value("${imds.url}") String url) {
        ResponseEntity<String> response = restClients.build().get().uri(url).retrieve().toEntity(String.class);
        System.out.println("IMDS " + response.getStatusCode().value() + " " + response.getBody());
        return new InstanceIdentity(response.getStatusCode().value(), response.getBody());
    }
}
