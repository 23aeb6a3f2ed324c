package dev.imdsv2.simulator;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar imds-simulator.jar [options]}: the simulator on its own, with the faults of the library API on its
 * command line, so that an operator can rehearse the shutoff runbook against every way IMDS misbehaves.
 */
public final class Main {
    private static final String USAGE = String.join("\n",
            "usage: java -jar imds-simulator.jar [options]",
            "  --optional              HttpTokens=optional: requests without a token are served (default)",
            "  --required              HttpTokens=required: requests without a token get 401",
            "  --host HOST             address to listen on (default 127.0.0.1)",
            "  --port PORT             port to listen on, 0 for a free one (default 1338)",
            "  --ttl-max SECS          tokens live at most SECS seconds, whatever TTL was asked for (default 21600)",
            "faults:",
            "  --put-status N          token PUTs are answered N (403/404/405: an IMDS without tokens; 5xx)",
            "  --drop-put              token PUTs get their connection reset, with no answer",
            "  --hop-limit-1           token PUTs are never answered while GETs are: a container behind",
            "                          HttpPutResponseHopLimit=1",
            "  --expire-tokens-every S every token issued so far expires every S seconds (an IMDS restart)",
            "  --reject-every-token    requests that carry a token get 401: an emulator that speaks only IMDSv1",
            "  --slow MS               every answer waits MS milliseconds",
            "  --help                  this text",
            "Runs until killed.");

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        boolean required = false;
        String host = "127.0.0.1";
        int port = 1338;
        int ttlMax = Behaviour.MAX_TTL_SECONDS;
        int putStatus = 0;
        boolean dropPut = false;
        boolean hopLimit1 = false;
        boolean rejectEveryToken = false;
        int expireEvery = 0;
        int slowMillis = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--required": required = true; break;
                    case "--optional": required = false; break;
                    case "--host": host = value(args, ++i); break;
                    case "--port": port = number(args, ++i, 0, 65535); break;
                    case "--ttl-max": ttlMax = number(args, ++i, 1, Behaviour.MAX_TTL_SECONDS); break;
                    case "--put-status": putStatus = number(args, ++i, 100, 599); break;
                    case "--drop-put": dropPut = true; break;
                    case "--hop-limit-1": hopLimit1 = true; break;
                    case "--reject-every-token": rejectEveryToken = true; break;
                    case "--expire-tokens-every": expireEvery = number(args, ++i, 1, 86400); break;
                    case "--slow": slowMillis = number(args, ++i, 0, 600_000); break;
                    case "--help": case "-h":
                        System.out.println(USAGE);
                        return;
                    default: throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if ((putStatus != 0 ? 1 : 0) + (dropPut ? 1 : 0) + (hopLimit1 ? 1 : 0) > 1) {
                throw new IllegalArgumentException("--put-status, --drop-put and --hop-limit-1 exclude each other");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("imds-simulator: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }

        ImdsSimulator simulator;
        try {
            simulator = ImdsSimulator.start(host, port, required);
        } catch (RuntimeException e) {
            System.err.println("imds-simulator: cannot listen on " + host + ":" + port + ": " + rootMessage(e));
            System.exit(1);
            return;
        }
        simulator.tokenLifetimeCap(ttlMax);
        simulator.stopRecording();
        StringBuilder faults = new StringBuilder();
        if (putStatus != 0) {
            simulator.tokenPutAnswers(putStatus);
            faults.append(", token PUTs answered ").append(putStatus);
        }
        if (dropPut) {
            simulator.tokenPutDropped();
            faults.append(", token PUTs dropped");
        }
        if (hopLimit1) {
            simulator.tokenPutNeverAnswered();
            faults.append(", token PUTs never answered (hop limit 1)");
        }
        if (rejectEveryToken) {
            simulator.rejectEveryToken();
            faults.append(", every token rejected");
        }
        if (slowMillis > 0) {
            simulator.slowResponses(Duration.ofMillis(slowMillis));
            faults.append(", every answer ").append(slowMillis).append(" ms late");
        }
        ScheduledExecutorService expiry = null;
        if (expireEvery > 0) {
            expiry = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "imds-simulator-expiry");
                thread.setDaemon(true);
                return thread;
            });
            expiry.scheduleAtFixedRate(simulator::expireAllTokens, expireEvery, expireEvery, TimeUnit.SECONDS);
            faults.append(", tokens expired every ").append(expireEvery).append(" s");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "imds-simulator-shutdown"));
        System.out.println("IMDS simulator listening on " + simulator.baseUrl()
                + " (HttpTokens=" + (required ? "required" : "optional")
                + (ttlMax < Behaviour.MAX_TTL_SECONDS ? ", tokens live at most " + ttlMax + " s" : "") + faults + ")");
        System.out.flush();
        stopped.await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, int min, int max) {
        String text = value(args, i);
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args[i - 1] + " needs a number: " + text);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(args[i - 1] + " " + n + " is out of the range " + min + " to " + max);
        }
        return n;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
