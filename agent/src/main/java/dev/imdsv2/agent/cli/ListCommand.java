package dev.imdsv2.agent.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.imdsv2.agent.jmx.Published;
import dev.imdsv2.agent.report.ThisJvm;

/**
 * {@code list [pid...]}: the JVMs this user can attach to, and whether the agent is in each. It reads each
 * JVM's system properties through the attach API (what the agent publishes there); it loads nothing into
 * them. Given pids, it touches only those JVMs (busy neighbours, benchmarks, stay undisturbed).
 */
final class ListCommand {
    /** A JVM that does not answer within this is shown as such, so one stuck JVM cannot hang the listing. */
    private static final long ANSWER_SECONDS = 15;

    private final Jvms jvms;
    private final PrintStream out;

    ListCommand(Jvms jvms, PrintStream out) {
        this.jvms = jvms;
        this.out = out;
    }

    /** @param only the pids to show (each must be found), or empty for every JVM */
    int run(List<String> only) throws Exception {
        List<AttachApi.Descriptor> found = new ArrayList<AttachApi.Descriptor>();
        Set<String> missing = new LinkedHashSet<String>(only);
        for (AttachApi.Descriptor d : jvms.api().list()) {
            if (!d.pid.equals(jvms.ownPid()) && (only.isEmpty() || only.contains(d.pid))) {
                found.add(d);
                missing.remove(d.pid);
            }
        }
        if (!missing.isEmpty()) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "not among the JVMs user " + System.getProperty("user.name")
                    + " can attach to: " + missing);
        }
        if (found.isEmpty()) {
            out.println("no JVM of user " + System.getProperty("user.name") + " to attach to");
            return ExitCodes.OK;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, found.size()), new ThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                Thread thread = new Thread(r, "imdsv2-list");
                thread.setDaemon(true);
                return thread;
            }
        });
        List<Future<String>> agents = new ArrayList<Future<String>>();
        for (final AttachApi.Descriptor d : found) {
            agents.add(pool.submit(new Callable<String>() {
                @Override
                public String call() {
                    return describeAgent(d.pid);
                }
            }));
        }
        out.println(String.format("%-8s %-5s %-28s %s", "PID", "JAVA", "AGENT", "MAIN"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
        for (int i = 0; i < found.size(); i++) {
            String agent;
            try {
                agent = agents.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                agent = "?     (not answering)";
            }
            out.println(String.format("%-8s %s %s", found.get(i).pid, agent, ThisJvm.mainClass(found.get(i).displayName)));
        }
        pool.shutdownNow();
        return ExitCodes.OK;
    }

    /** The JAVA and AGENT columns for one JVM. */
    private String describeAgent(String pid) {
        AttachApi.Connection connection;
        try {
            connection = jvms.open(pid);
        } catch (CliException e) {
            return String.format("%-5s %-28s", "?", "(cannot attach)");
        }
        try {
            Properties properties = connection.systemProperties();
            String version = properties.getProperty(Published.VERSION_PROPERTY);
            String agent = version == null ? "-" : version + " " + properties.getProperty(Published.MODE_PROPERTY, "?");
            return String.format("%-5s %-28s", Jvms.javaFeatureVersion(properties), agent);
        } catch (Exception e) {
            return String.format("%-5s %-28s", "?", "(no answer: " + e.getClass().getSimpleName() + ")");
        } finally {
            connection.detach();
        }
    }
}
