package dev.imdsv2.testapps.micrometer;

import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Scanner;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A plain program with nothing but micrometer-core: it reads IMDS the v1 way once ({@code args[0]}), then adds a
 * registry to {@code Metrics.globalRegistry}, waits up to {@code args[1]} seconds for the agent's meters to appear, then
 * prints every meter of that registry as {@code METER name{k=v,...} value}. It runs
 * on the oldest Micrometer the agent supports (1.0.0), so it uses only API that exists there, and on Java 8.
 */
public final class GlobalRegistryApp {

    public static void main(String[] args) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) new URL(args[0]).openConnection();
        int status = connection.getResponseCode();
        try (Scanner body = new Scanner(connection.getInputStream(), "UTF-8").useDelimiter("\\A")) {
            System.out.println("IMDS " + status + " " + (body.hasNext() ? body.next().trim() : ""));
        }
        // Micrometer is first touched after the IMDS call: the agent meets it as its Metrics class loads.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);

        // The agent binds its meters on a background thread a second after the first IMDS request: wait for them.
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        while (find(registry, "imdsv2.requests") == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (Meter meter : registry.getMeters()) {
            StringBuilder line = new StringBuilder("METER ").append(meter.getId().getName()).append('{');
            for (Tag tag : meter.getId().getTags()) {
                line.append(tag.getKey()).append('=').append(tag.getValue()).append(',');
            }
            line.append("} ").append(meter.measure().iterator().next().getValue());
            System.out.println(line);
        }
    }

    private static Meter find(SimpleMeterRegistry registry, String name) {
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().getName().equals(name)) {
                return meter;
            }
        }
        return null;
    }
}
