package dev.imdsv2.agent.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.imdsv2.agent.jmx.Published;
import dev.imdsv2.agent.report.ThisJvm;

/**
 * Opens a running JVM through the attach API, with every way that can fail turned into one clear line:
 * checks what can be checked before attaching (own pid, no such process, another user, no SIGQUIT handler),
 * then translates what the attach API throws.
 */
final class Jvms {
    private final AttachApi api;
    private final String ownPid;

    Jvms(AttachApi api) {
        this.api = api;
        this.ownPid = ThisJvm.pid();
    }

    static String requirePid(String text) throws CliException {
        if (text == null || !text.matches("[0-9]{1,10}")) {
            throw CliException.usage("'" + text + "' is not a process id (pid)");
        }
        return text;
    }

    /** Whose JVMs the commands see: "of user NAME", or "of any user" for root. */
    static String scope() {
        return LocalProcess.ownUid() == 0 ? "of any user" : "of user " + System.getProperty("user.name");
    }

    /** How one JVM is read, in {@link #readAll}: never throws, a failure is in the report. */
    interface Reader {
        JvmReport read(String pid);
    }

    /**
     * Every JVM of this user on this host (of every user for root), but the command's own, in pid order: those the
     * attach API lists, and the processes named {@code java} it does not (started with {@code -XX:-UsePerfData},
     * in another container), so that none is left out of {@code status all} unseen.
     */
    List<String> discover() throws Exception {
        Map<Long, String> pids = new TreeMap<Long, String>();
        int ownUid = LocalProcess.ownUid();
        for (String pid : api.list()) {
            int uid = new LocalProcess(pid).uid();
            if (ownUid <= 0 || uid < 0 || uid == ownUid) {
                pids.put(Long.valueOf(pid), pid);
            }
        }
        for (String pid : LocalProcess.javaProcessIds()) {
            pids.put(Long.valueOf(pid), pid);
        }
        pids.remove(Long.valueOf(ownPid));
        return new ArrayList<String>(pids.values());
    }

    /**
     * Reads the JVMs at once, so that one that is stuck costs its own answer and not the others'; a JVM that has
     * not answered within {@code seconds} is reported as such (its reading thread is left to end with the command).
     */
    static List<JvmReport> readAll(List<String> pids, long seconds, final Reader reader) {
        ExecutorService pool = Executors.newCachedThreadPool(new ThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                Thread thread = new Thread(r, "imdsv2-cli-read");
                thread.setDaemon(true);
                return thread;
            }
        });
        List<Future<JvmReport>> answers = new ArrayList<Future<JvmReport>>();
        for (final String pid : pids) {
            answers.add(pool.submit(new Callable<JvmReport>() {
                @Override
                public JvmReport call() {
                    return reader.read(pid);
                }
            }));
        }
        List<JvmReport> reports = new ArrayList<JvmReport>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < pids.size(); i++) {
            String pid = pids.get(i);
            try {
                reports.add(answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                reports.add(JvmReport.failed(pid, mainClassFromCommandLine(pid),
                        new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " did not answer within " + seconds + " s")));
            } catch (InterruptedException | ExecutionException e) {
                reports.add(JvmReport.failed(pid, mainClassFromCommandLine(pid),
                        new CliException(ExitCodes.CANNOT_ATTACH, "reading pid " + pid + " failed: " + e)));
            }
        }
        pool.shutdownNow();
        return reports;
    }

    /**
     * Reads a JVM's system properties and, with {@code startJmx} and when the agent is there, starts (or finds)
     * its local JMX connector to read the agent's MBean from. Nothing is loaded into the JVM.
     */
    JvmProperties inspect(String pid, boolean startJmx) throws CliException {
        return talk(pid, connection -> {
            Properties system = connection.systemProperties();
            String mainClass = mainClass(connection);
            String jmxAddress = null;
            if (startJmx && system.getProperty(Published.VERSION_PROPERTY) != null) {
                try {
                    jmxAddress = connection.startLocalManagementAgent();
                } catch (Exception e) {
                    throw new CliException(ExitCodes.CANNOT_ATTACH, "cannot start JMX in pid " + pid + " (" + mainClass
                            + ") to read the agent: " + e);
                }
            }
            return new JvmProperties(mainClass, system, jmxAddress);
        });
    }

    /** One exchange with an attached JVM. */
    interface Conversation<T> {
        T with(AttachApi.Connection connection) throws Exception;
    }

    /**
     * Attaches to {@code pid}, holds the conversation and detaches. A failure the conversation did not name itself
     * (a {@link CliException}) is the JVM that stopped answering.
     */
    <T> T talk(String pid, Conversation<T> conversation) throws CliException {
        AttachApi.Connection connection = open(pid);
        try {
            return conversation.with(connection);
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " stopped answering: " + e);
        } finally {
            connection.detach();
        }
    }

    /** The main class of a JVM that could not be asked, from its command line; "?" when unknown. */
    static String mainClassFromCommandLine(String pid) {
        return LocalProcess.mainClassOf(new LocalProcess(pid).commandLine());
    }

    AttachApi.Connection open(String pid) throws CliException {
        if (pid.equals(ownPid)) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " is this command's own JVM; a JVM does not"
                    + " attach to itself (the JDK forbids it unless started with -Djdk.attach.allowAttachSelf=true)."
                    + " Give the pid of the application's JVM");
        }
        LocalProcess process = new LocalProcess(pid);
        if (!process.exists()) {
            throw noSuchProcess(pid);
        }
        int uid = process.uid();
        int ownUid = LocalProcess.ownUid();
        if (uid >= 0 && ownUid > 0 && uid != ownUid) {
            throw anotherUser(pid, process.ownerName());
        }
        if (Boolean.FALSE.equals(process.handlesSigquit())) {
            throw new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " cannot be attached to: it does not handle"
                    + " the attach signal (SIGQUIT), so it is not a Java process, or a JVM still starting, or one"
                    + " started with -Xrs. Nothing was sent to it");
        }
        try {
            return api.attach(pid);
        } catch (Exception e) {
            throw attachFailure(pid, process, e);
        }
    }

    private static CliException noSuchProcess(String pid) {
        return new CliException(ExitCodes.CANNOT_ATTACH, "no process with pid " + pid
                + " (see 'java -jar imdsv2-agent.jar list')");
    }

    private static CliException anotherUser(String pid, String owner) {
        return new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " belongs to user " + owner + ", not to "
                + System.getProperty("user.name") + ": the attach API only reaches the JVMs of the same user (and root,"
                + " those of Java 11+). Run this command as that user: sudo -u " + owner + " java -jar imdsv2-agent.jar ...");
    }

    static CliException attachFailure(String pid, LocalProcess process, Exception e) {
        String message = String.valueOf(e.getMessage());
        String type = e.getClass().getSimpleName();
        if (message.contains("does not support the attach mechanism")) {
            return new CliException(ExitCodes.CANNOT_ATTACH, "attach is disabled in pid " + pid
                    + " (it was started with -XX:+DisableAttachMechanism): no agent can be loaded at run time."
                    + " Restart it with -javaagent:imdsv2-agent.jar instead");
        }
        if (message.contains("No such process") || message.contains("non existent JVM")) {
            return noSuchProcess(pid);
        }
        int uid = process.uid();
        if (message.contains("should be owned by") && uid >= 0 && uid == LocalProcess.ownUid()) {
            // The JVM is this user's, its attach socket is not: one left by an earlier process of that pid, killed
            // after an attach, of another user. The JDK refuses it; only its owner or root can remove it.
            return new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " cannot be attached to: its attach socket"
                    + " (.java_pid" + pid + " in its temporary folder) belongs to another user, left by an earlier"
                    + " process of the same pid that was killed. Remove that file (as its owner or root) and run this again");
        }
        if (message.contains("Operation not permitted") || message.contains("Permission denied")
                || message.contains("should be owned by")) {
            return anotherUser(pid, process.ownerName());
        }
        if (message.contains("Can not attach to current VM")) {
            return new CliException(ExitCodes.CANNOT_ATTACH, "pid " + pid + " is this command's own JVM; a JVM does not"
                    + " attach to itself (jdk.attach.allowAttachSelf)");
        }
        if (type.equals("AttachNotSupportedException")) {
            return new CliException(ExitCodes.CANNOT_ATTACH, "cannot attach to pid " + pid + ": " + message
                    + ". Is it a HotSpot JVM of this machine and this container? Run this command where the JVM runs");
        }
        return new CliException(ExitCodes.CANNOT_ATTACH, "cannot attach to pid " + pid + ": " + type + ": " + message);
    }

    /** The main class (or jar) of an attached JVM, as its launcher recorded it; "?" when unknown. */
    static String mainClass(AttachApi.Connection connection) {
        try {
            return ThisJvm.mainClass(connection.agentProperties().getProperty("sun.java.command"));
        } catch (Exception e) {
            return "?";
        }
    }


    /** The feature release of the JVM: 8 for "1.8", 25 for "25"; 0 when unknown. */
    static int javaFeatureVersion(Properties systemProperties) {
        String spec = systemProperties.getProperty("java.specification.version", "");
        try {
            return spec.startsWith("1.") ? Integer.parseInt(spec.substring(2)) : Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
