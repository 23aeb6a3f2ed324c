package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Times GETs through each client of {@link ImdsClients}, on command, so a test can change IMDS in between.
 * Prints {@code READY client,client...}; then per stdin line {@code probe URL N [CLIENT]}: N GETs of URL with each client (or
 * only CLIENT), one {@code TIMED client millis answer} line each, then {@code DONE}; {@code exit} ends it.
 */
public final class FaultProbe {

    public static void main(String[] args) throws Exception {
        Map<String, Function<String, String>> clients = ImdsClients.create();
        System.out.println("READY " + String.join(",", clients.keySet()));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            String[] command = line.split(" ");
            String url = command[1];
            int count = Integer.parseInt(command[2]);
            for (Map.Entry<String, Function<String, String>> client : clients.entrySet()) {
                if (command.length > 3 && !command[3].equals(client.getKey())) {
                    continue;
                }
                for (int i = 0; i < count; i++) {
                    long start = System.nanoTime();
                    String answer = client.getValue().apply(url);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    System.out.println("TIMED " + client.getKey() + " " + millis + " " + answer);
                }
            }
            System.out.println("DONE");
            System.out.flush();
        }
    }
}
