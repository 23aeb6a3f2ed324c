package dev.imdsv2.agent.cli;

import java.io.File;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;


/**
 * {@code java -jar imdsv2-agent.jar list [pid...] | attach <pid>|all [key=value,...] | status <pid>}: the agent for JVMs
 * that are already running. Every failure is one line on stderr and a non-zero exit code ({@link ExitCodes}).
 */
public final class Cli {
    private final PrintStream out;
    private final PrintStream err;

    private Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * The jar's Main-Class. It is this class, not {@code AgentMain}, because {@code AgentMain}'s signatures
     * name {@code java.lang.instrument}, which a trimmed runtime may lack: that must still get a clear message.
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Cli(out, err).run(Arrays.asList(args));
    }

    private int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            usage(out);
            return ExitCodes.OK;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            if (command.equals("list")) {
                for (String pid : rest) {
                    Jvms.requirePid(pid);
                }
                return new ListCommand(new Jvms(AttachApi.load()), out).run(rest);
            }
            if (command.equals("attach") && !rest.isEmpty()) {
                String arguments = AttachCommand.joinArguments(rest.subList(1, rest.size()));
                AttachCommand.validate(arguments);
                return new AttachCommand(new Jvms(AttachApi.load()), agentJar(), out, err).run(rest.get(0), arguments);
            }
            if (command.equals("status") && rest.size() == 1) {
                String pid = Jvms.requirePid(rest.get(0));
                return new StatusCommand(new Jvms(AttachApi.load()), out).run(pid);
            }
        } catch (CliException e) {
            err.println("imdsv2-agent: " + e.getMessage());
            return e.exitCode();
        } catch (Throwable t) {
            // never a stack trace: one line that says what broke
            err.println("imdsv2-agent: " + command + " failed: " + t);
            return ExitCodes.CANNOT_ATTACH;
        }
        usage(err);
        return ExitCodes.USAGE;
    }

    /** The jar this command runs from: what {@code attach} loads into the target. */
    private static String agentJar() throws CliException {
        try {
            File jar = new File(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.isFile()) {
                return jar.getAbsolutePath();
            }
        } catch (Exception ignored) {
            // reported below
        }
        throw new CliException(ExitCodes.USAGE, "attach must be run from the agent jar: java -jar imdsv2-agent.jar attach ...");
    }

    private static void usage(PrintStream to) {
        String version = Cli.class.getPackage() == null ? null : Cli.class.getPackage().getImplementationVersion();
        to.println("imdsv2-agent " + (version == null ? "dev" : version) + ": a Java agent that upgrades IMDSv1 calls to IMDSv2.");
        to.println();
        to.println("At start:  java -javaagent:imdsv2-agent.jar[=mode=observe,...] -jar your-app.jar");
        to.println("Running JVMs (run with a JDK's java, as the JVM's user):");
        to.println("  java -jar imdsv2-agent.jar list [pid...]                     the JVMs; the agent's version and mode in each");
        to.println("  java -jar imdsv2-agent.jar attach <pid>|all [key=value,...]  load the agent, or reconfigure it");
        to.println("  java -jar imdsv2-agent.jar status <pid>                      mode, token, counts, call sites, verdict");
        to.println("status exits 0 when no tokenless (IMDSv1) request has reached IMDS, 1 when one has;");
        to.println("2 = usage, 3 = cannot attach to the JVM, 4 = the agent is not there, failed, or is off.");
    }
}
