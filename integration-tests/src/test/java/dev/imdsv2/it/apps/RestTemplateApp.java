package dev.imdsv2.it.apps;

import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestTemplate;

/**
 * A Spring application reading IMDS the v1 way with {@code RestTemplate} over Apache HttpClient 5: nothing
 * Spring-specific is instrumented, the request goes through the Apache HttpClient 5 instrumentation.
 * Prints {@code RESULT <status> <body>} for the URL given.
 */
public final class RestTemplateApp {
    public static void main(String[] args) {
        RestTemplate rest = new RestTemplate(new HttpComponentsClientHttpRequestFactory());
        try {
            System.out.println("RESULT 200 " + rest.getForObject(args[0], String.class).trim());
        } catch (HttpStatusCodeException e) {
            System.out.println("RESULT " + e.getStatusCode().value());
        }
    }
}
