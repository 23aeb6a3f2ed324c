package dev.imdsv2.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The shared command line of the third-party client apps. Requests are separated by {@code --}; each is
 * {@code MODE URL [proxy=PORT] [Header=Value ...]} ({@code MODE}: {@code sync} or {@code async}, or what the app
 * offers besides) and prints {@code RESULT <status> <body>} (or {@code RESULT ERROR <exception>}); {@code counts}
 * prints the agent's request counts as {@code COUNT} lines, {@code pause} prints {@code PAUSED} and waits for a
 * line on stdin (the test changes the simulator meanwhile). First a {@code LIBRARY <jar file>} line names the
 * client jar in use, so a test can check which version it ran.
 */
abstract class ClientApp {
    static {
        // Netty 4.0 and 4.1 (under AsyncHttpClient, Reactor Netty and Vert.x 4) call sun.misc.Unsafe, which Java 24+
        // warns about on stderr, where the tests look for the agent's own warnings. Set before any app loads Netty.
        System.setProperty("io.netty.noUnsafe", "true");
    }

    /** One GET; {@code proxyPort} is null for a direct request. Returns "status body". */
    abstract String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception;

    /** One GET in the named mode; apps with more modes than {@code sync} and {@code async} override this. */
    String get(String mode, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        return get(mode.equals("async"), url, proxyPort, headers);
    }

    /** A class of the client library, to name its jar. */
    abstract Class<?> libraryClass();

    void run(String[] args) {
        System.out.println("LIBRARY " + jarName(libraryClass()));
        try {
            Commands.runEach(args, this::runOne);
        } catch (Exception e) {
            throw new IllegalStateException(e); // runOne reports every request's failure itself
        }
        System.exit(0); // async clients keep non-daemon threads
    }

    private void runOne(List<String> request) throws Exception {
        if (request.isEmpty()) {
            return;
        }
        if (request.equals(Collections.singletonList("counts"))) {
            AgentCounts.print();
            return;
        }
        if (request.get(0).equals("pause")) {
            System.out.println("PAUSED");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return;
        }
        Integer proxyPort = null;
        List<String[]> headers = new ArrayList<>();
        for (String option : request.subList(2, request.size())) {
            int eq = option.indexOf('=');
            if (option.startsWith("proxy=")) {
                proxyPort = Integer.parseInt(option.substring(eq + 1));
            } else {
                headers.add(new String[] {option.substring(0, eq), option.substring(eq + 1)});
            }
        }
        String result;
        try {
            result = get(request.get(0), request.get(1), proxyPort, headers);
        } catch (Exception e) {
            result = "ERROR " + e;
        }
        System.out.println("RESULT " + result.replace('\n', ' ').trim());
        System.out.flush();
    }

    static String jarName(Class<?> type) {
        String location = String.valueOf(type.getProtectionDomain().getCodeSource().getLocation());
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
