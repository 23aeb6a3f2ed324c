package dev.imdsv2.agent.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code list [--json] [pid...]}: the JVMs this user can attach to, and whether the agent is in each. It reads each
 * JVM's system properties through the attach API (what the agent publishes there); it loads nothing into
 * them. Given pids, it touches only those JVMs (busy neighbours, benchmarks, stay undisturbed). A JVM that
 * cannot be read is listed as such and named on stderr, the others are listed all the same, and the exit code
 * is then {@link ExitCodes#CANNOT_ATTACH}.
 */
final class ListCommand {
    /** A JVM that does not answer within this is shown as such, so one stuck JVM cannot hang the listing. */
    private static final long ANSWER_SECONDS = 15;

    private final Jvms jvms;
    private final PrintStream out;
    private final PrintStream err;

    ListCommand(Jvms jvms, PrintStream out, PrintStream err) {
        this.jvms = jvms;
        this.out = out;
        this.err = err;
    }

    /** @param only the pids to show, or empty for every JVM */
    int run(List<String> only, boolean json) throws Exception {
        List<String> pids = only.isEmpty() ? jvms.discover() : only;
        List<JvmReport> reports = Jvms.readAll(pids, ANSWER_SECONDS, new Jvms.Reader() {
            @Override
            public JvmReport read(String pid) {
                try {
                    return JvmReport.read(pid, jvms.inspect(pid, false), null);
                } catch (CliException e) {
                    return JvmReport.failed(pid, Jvms.mainClassFromCommandLine(pid), e);
                }
            }
        });
        int exitCode = ExitCodes.OK;
        for (JvmReport report : reports) {
            if (report.failure != null) {
                err.println("imdsv2-agent: " + report.failure.getMessage());
                exitCode = ExitCodes.CANNOT_ATTACH;
            }
        }
        if (json) {
            List<Object> list = new ArrayList<Object>();
            for (JvmReport report : reports) {
                list.add(report.json(false));
            }
            Map<String, Object> document = new LinkedHashMap<String, Object>();
            document.put("jvms", list);
            out.print(Json.write(document));
        } else if (reports.isEmpty()) {
            out.println("no JVM " + Jvms.scope() + " to attach to");
        } else {
            out.println(String.format("%-8s %-5s %-28s %-32s %s", "PID", "JAVA", "AGENT", "METRICS", "MAIN"));
            for (JvmReport report : reports) {
                out.println(String.format("%-8s %s %s", report.pid, columns(report), report.mainClass));
            }
        }
        return exitCode;
    }

    /** The JAVA, AGENT and METRICS columns for one JVM. */
    private static String columns(JvmReport report) {
        JvmProperties p = report.properties;
        if (p == null) {
            return String.format("%-5s %-28s %-32s", "?", "(cannot read: see stderr)", "?");
        }
        String agent = p.agentVersion == null ? "-" : p.agentVersion + " " + (p.mode == null ? "?" : p.mode);
        return String.format("%-5s %-28s %-32s", p.java == 0 ? "?" : Integer.toString(p.java), agent,
                p.metricsUrl == null ? "-" : p.metricsUrl);
    }
}
