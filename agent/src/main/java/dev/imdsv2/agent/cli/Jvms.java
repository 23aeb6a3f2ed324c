package dev.imdsv2.agent.cli;

import java.util.Properties;

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

    String ownPid() {
        return ownPid;
    }

    AttachApi api() {
        return api;
    }

    static String requirePid(String text) throws CliException {
        if (text == null || !text.matches("[0-9]{1,10}")) {
            throw new CliException(ExitCodes.USAGE, "'" + text + "' is not a process id (pid)");
        }
        return text;
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

    private static CliException attachFailure(String pid, LocalProcess process, Exception e) {
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
