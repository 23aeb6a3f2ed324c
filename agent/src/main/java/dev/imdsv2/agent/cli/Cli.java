package dev.imdsv2.agent.cli;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code java -jar imdsv2-agent.jar list [--json] [pid...] | attach <pid>|all [key=value,...] | status [--json] <pid>|all}:
 * the agent for JVMs that are already running. Every failure is one line on stderr and a non-zero exit code
 * ({@link ExitCodes}); a command line of the wrong shape is followed by the usage.
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
        if (!args.isEmpty() && (args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            usage(out);
            return ExitCodes.OK;
        }
        String command = args.isEmpty() ? "" : args.get(0);
        try {
            return dispatch(command, args.isEmpty() ? args : args.subList(1, args.size()));
        } catch (CliException e) {
            err.println("imdsv2-agent: " + e.getMessage());
            if (e.showUsage()) {
                err.println();
                usage(err);
            }
            return e.exitCode();
        } catch (Throwable t) {
            // never a stack trace: one line that says what broke
            err.println("imdsv2-agent: " + command + " failed: " + t);
            return ExitCodes.CANNOT_ATTACH;
        }
    }

    /** The whole command line is checked before the attach API is loaded: a usage error needs no JDK. */
    private int dispatch(String command, List<String> rest) throws Exception {
        if (command.isEmpty()) {
            throw CliException.usage("no command given");
        }
        if (command.equals("attach")) {
            if (rest.isEmpty()) {
                throw CliException.usage("attach needs a pid, or all");
            }
            String target = rest.get(0).equals("all") ? "all" : Jvms.requirePid(rest.get(0));
            String arguments = AttachCommand.joinArguments(rest.subList(1, rest.size()));
            AttachCommand.validate(arguments);
            return new AttachCommand(new Jvms(AttachApi.load()), agentJar(), out, err).run(target, arguments);
        }
        if (!command.equals("list") && !command.equals("status")) {
            throw CliException.usage("unknown command '" + command + "'");
        }
        List<String> operands = new ArrayList<String>();
        boolean json = false;
        for (String arg : rest) {
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.startsWith("-")) {
                throw CliException.usage("unknown option '" + arg + "' for " + command);
            } else {
                operands.add(arg);
            }
        }
        if (command.equals("list")) {
            Set<String> pids = new LinkedHashSet<String>();
            for (String pid : operands) {
                pids.add(Jvms.requirePid(pid));
            }
            return new ListCommand(new Jvms(AttachApi.load()), out, err).run(new ArrayList<String>(pids), json);
        }
        if (operands.isEmpty()) {
            throw CliException.usage("status needs a pid, or all");
        }
        if (operands.size() > 1) {
            throw CliException.usage("status takes one pid, or all; got " + operands);
        }
        if (operands.get(0).equals("all")) {
            return new StatusCommand(new Jvms(AttachApi.load()), out, err).runAll(json);
        }
        String pid = Jvms.requirePid(operands.get(0));
        return new StatusCommand(new Jvms(AttachApi.load()), out, err).run(pid, json);
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
        to.println("Running JVMs (run with a JDK's java, as the JVM's user; root sees every user's):");
        to.println("  java -jar imdsv2-agent.jar list [--json] [pid...]            the JVMs; the agent's version, mode, metrics URL");
        to.println("  java -jar imdsv2-agent.jar attach <pid>|all [key=value,...]  load the agent, or reconfigure it");
        to.println("  java -jar imdsv2-agent.jar status [--json] <pid>             mode, token, counts, call sites, verdict");
        to.println("  java -jar imdsv2-agent.jar status [--json] all               one line per JVM, and the host's verdict");
        to.println("status exits 0 when READY, 1 when a tokenless (IMDSv1) request has reached IMDS in the current phase,");
        to.println("5 when it is not ready yet (no IMDS request in the phase); status all exits 0 only when every JVM");
        to.println("has the agent and is READY. 2 = usage, 3 = cannot attach to the JVM, 4 = the agent is not there,");
        to.println("failed, or is off.");
        to.println("--json: one JSON document on stdout.");
    }
}
