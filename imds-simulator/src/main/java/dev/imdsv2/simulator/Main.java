package dev.imdsv2.simulator;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar imds-simulator.jar [--required|--optional] [--host H] [--port P] [--ttl-max S]} */
public final class Main {
    private static final String USAGE = String.join("\n",
            "usage: java -jar imds-simulator.jar [options]",
            "  --optional      HttpTokens=optional: requests without a token are served (default)",
            "  --required      HttpTokens=required: requests without a token get 401",
            "  --host HOST     address to listen on (default 127.0.0.1)",
            "  --port PORT     port to listen on, 0 for a free one (default 1338)",
            "  --ttl-max SECS  tokens live at most SECS seconds, whatever TTL was asked for (default 21600)",
            "  --help          this text",
            "Runs until killed.");

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        boolean required = false;
        String host = "127.0.0.1";
        int port = 1338;
        int ttlMax = Behaviour.MAX_TTL_SECONDS;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--required": required = true; break;
                    case "--optional": required = false; break;
                    case "--host": host = value(args, ++i); break;
                    case "--port": port = Integer.parseInt(value(args, ++i)); break;
                    case "--ttl-max": ttlMax = Integer.parseInt(value(args, ++i)); break;
                    case "--help": case "-h":
                        System.out.println(USAGE);
                        return;
                    default: throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (port < 0 || port > 65535 || ttlMax < 1) {
                throw new IllegalArgumentException("out of range: --port " + port + " --ttl-max " + ttlMax);
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "imds-simulator-shutdown"));
        System.out.println("IMDS simulator listening on " + simulator.baseUrl()
                + " (HttpTokens=" + (required ? "required" : "optional")
                + (ttlMax < Behaviour.MAX_TTL_SECONDS ? ", tokens live at most " + ttlMax + " s" : "") + ")");
        System.out.flush();
        stopped.await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
