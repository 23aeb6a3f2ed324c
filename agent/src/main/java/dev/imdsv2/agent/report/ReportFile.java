package dev.imdsv2.agent.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import dev.imdsv2.agent.log.AgentLog;

/**
 * {@code imdsv2.report.file}: the call-site report written every minute and once more at shutdown. The file is
 * replaced whole (written beside it, then renamed), so a reader never sees half a report. The scheduler thread
 * and the shutdown hook exist only when the key is set.
 */
public final class ReportFile {
    static final long INTERVAL_SECONDS = 60;

    private final Path file;
    private final Callable<String> report;

    private ReportFile(Path file, Callable<String> report) {
        this.file = file;
        this.report = report;
    }

    /** Starts writing {@code report} to {@code path}: every minute (first after one) and at shutdown. */
    public static void start(String path, Callable<String> report) {
        final ReportFile writer = new ReportFile(Paths.get(path).toAbsolutePath(), report);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "imdsv2-agent-report");
                thread.setDaemon(true);
                return thread;
            }
        });
        Runnable write = new Runnable() {
            @Override
            public void run() {
                writer.write();
            }
        };
        scheduler.scheduleAtFixedRate(write, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(write, "imdsv2-agent-report-at-exit"));
    }

    /** Writes the report now; a failure is logged once and the next write tries again. */
    void write() {
        try {
            byte[] json = report.call().getBytes(StandardCharsets.UTF_8);
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(temp, json);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (Throwable t) {
            AgentLog.internalFailure("writing the report file " + file, t);
        }
    }
}
