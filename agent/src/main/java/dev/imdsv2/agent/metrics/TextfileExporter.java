package dev.imdsv2.agent.metrics;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.imdsv2.agent.log.AgentLog;
import dev.imdsv2.agent.report.AgentState;
import dev.imdsv2.agent.report.ThisJvm;

/**
 * {@code imdsv2.metrics.textfile.dir}: the agent's meters for the Prometheus node_exporter's textfile collector,
 * the host-level way to collect many processes without a port each. Every JVM writes {@code imdsv2-<pid>.prom}
 * there every {@code imdsv2.metrics.textfile.interval} seconds, each series labelled {@code pid} and
 * {@code main_class} so that the JVMs of one host stay apart in one scrape. A file is replaced atomically (written
 * beside it, then renamed), so the collector never reads half of one; it is removed when its JVM exits, and
 * the files of JVMs that died without exiting are removed by the next JVM that writes there.
 */
public final class TextfileExporter {
    private static final String PREFIX = "imdsv2-";
    private static final String SUFFIX = ".prom";

    private final PrometheusMeterRegistry registry;
    private final File dir;
    private final File file;
    /** The JVM is exiting: the file is gone and stays gone. */
    private boolean closed;

    private TextfileExporter(PrometheusMeterRegistry registry, File dir, String pid) {
        this.registry = registry;
        this.dir = dir;
        this.file = new File(dir, PREFIX + pid + SUFFIX);
    }

    /**
     * On a daemon thread, off {@code premain}'s path (the Micrometer registry is built there): writes at once, then
     * every {@code intervalSeconds}; removes the file at exit.
     */
    public static void start(final AgentState runtime, final String dir, final int intervalSeconds) {
        Thread writer = new Thread(new Runnable() {
            @Override
            public void run() {
                TextfileExporter exporter;
                try {
                    exporter = create(runtime, new File(dir));
                } catch (Throwable t) {
                    AgentLog.warn("metrics_textfile").log("metrics cannot be written to the textfile folder {} ({});"
                            + " not written", dir, String.valueOf(t));
                    return;
                }
                AgentLog.info("metrics_textfile").with("file", exporter.file).log("Prometheus metrics for the"
                        + " node_exporter textfile collector in {}, every {} s", exporter.file, intervalSeconds);
                while (true) {
                    exporter.write();
                    try {
                        Thread.sleep(intervalSeconds * 1000L);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "imdsv2-agent-textfile");
        writer.setDaemon(true);
        writer.start();
    }

    private static TextfileExporter create(AgentState runtime, File dir) throws ReflectiveOperationException {
        if (!dir.isDirectory()) {
            throw new IllegalArgumentException("not a folder");
        }
        String pid = ThisJvm.pid();
        String main = ThisJvm.mainClass(System.getProperty("sun.java.command"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("pid", pid, "main_class", main.endsWith(".jar") ? new File(main).getName() : main);
        new MeterBinder(registry, "the textfile collector's registry", MeterRegistry.class.getPackage().getName())
                .bind(runtime);
        final TextfileExporter exporter = new TextfileExporter(registry, dir, pid);
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
            @Override
            public void run() {
                exporter.close();
            }
        }, "imdsv2-agent-textfile-exit"));
        return exporter;
    }

    /** Logged once per kind of trouble; a folder that comes back is written again on the next round. */
    synchronized void write() {
        if (closed) {
            return;
        }
        try {
            Path target = file.toPath();
            Path partial = new File(dir, "." + file.getName() + ".tmp").toPath();
            Files.write(partial, registry.scrape().getBytes(StandardCharsets.UTF_8));
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            removeFilesOfDeadJvms();
        } catch (IOException | RuntimeException e) {
            AgentLog.internalFailure("writing " + file, e);
        }
    }

    synchronized void close() {
        closed = true;
        file.delete();
    }

    /** {@code /proc} tells which pids live (Linux, where node_exporter runs); elsewhere nothing is removed. */
    private void removeFilesOfDeadJvms() {
        File proc = new File("/proc/self");
        File[] files = dir.listFiles();
        if (!proc.exists() || files == null) {
            return;
        }
        for (File other : files) {
            String name = other.getName();
            if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || other.equals(file)) {
                continue;
            }
            String pid = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
            if (pid.matches("[0-9]+") && !new File("/proc/" + pid).exists()) {
                other.delete();
            }
        }
    }
}
