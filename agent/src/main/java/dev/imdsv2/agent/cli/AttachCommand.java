package dev.imdsv2.agent.cli;

import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import dev.imdsv2.agent.config.AgentConfig;
import dev.imdsv2.agent.config.ConfigLoader;
import dev.imdsv2.agent.jmx.Published;

/**
 * {@code attach <pid>|all [key=value,...]}: loads this jar into running JVMs with the given agent arguments.
 * In a JVM that has the agent already, the same load reaches the running agent, which layers the arguments
 * over its own (no second instrumentation). Prints what it did to each JVM, with the mode read back.
 */
final class AttachCommand {
    private static final String DYNAMIC_AGENT_FLAG = "-XX:+EnableDynamicAgentLoading";

    private final Jvms jvms;
    private final String agentJar;
    private final PrintStream out;
    private final PrintStream err;

    AttachCommand(Jvms jvms, String agentJar, PrintStream out, PrintStream err) {
        this.jvms = jvms;
        this.agentJar = agentJar;
        this.out = out;
        this.err = err;
    }

    /** {@code mode=observe token.ttl=300} and {@code mode=observe,token.ttl=300} mean the same. */
    static String joinArguments(List<String> words) {
        StringBuilder joined = new StringBuilder();
        for (String word : words) {
            if (joined.length() > 0) {
                joined.append(',');
            }
            joined.append(word);
        }
        return joined.toString();
    }

    /** A typo would reach the agent as "bad value, default used": for mode, silently the wrong mode. So: refuse it here. */
    static void validate(String arguments) throws CliException {
        List<String> problems = ConfigLoader.load(arguments, new Properties(), Collections.<String, String>emptyMap()).problems();
        if (!problems.isEmpty()) {
            // "nothing attached" says it all: the agent's own "ignored" or "using the default" would contradict it
            throw new CliException(ExitCodes.USAGE, "nothing attached: "
                    + join(problems).replaceAll("; (ignored|using the default [^;]*)", ""));
        }
    }

    int run(String target, String arguments) throws Exception {
        if (!target.equals("all")) {
            attachOne(Jvms.requirePid(target), arguments);
            return ExitCodes.OK;
        }
        int exitCode = ExitCodes.OK;
        int attached = 0;
        for (String pid : jvms.discover()) {
            attached++;
            try {
                attachOne(pid, arguments);
            } catch (CliException e) {
                err.println("imdsv2-agent: " + e.getMessage());
                exitCode = Math.max(exitCode, e.exitCode());
            }
        }
        if (attached == 0) {
            out.println("no other JVM " + Jvms.scope() + " to attach to");
        }
        return exitCode;
    }

    private void attachOne(String pid, String arguments) throws CliException {
        jvms.talk(pid, connection -> {
            Properties before = connection.systemProperties();
            String jvm = "pid " + pid + " (" + Jvms.mainClass(connection) + ")";
            int java = Jvms.javaFeatureVersion(before);
            if (java > 0 && java < 8) {
                throw new CliException(ExitCodes.CANNOT_ATTACH, jvm + " runs Java "
                        + before.getProperty("java.specification.version") + ": too old, the agent needs Java 8 or later");
            }
            String previousVersion = before.getProperty(Published.VERSION_PROPERTY);
            String previousMode = before.getProperty(Published.MODE_PROPERTY);
            String jvmArguments = connection.agentProperties().getProperty("sun.jvm.args", "");
            load(connection, jvm, arguments);
            String mode = connection.systemProperties().getProperty(Published.MODE_PROPERTY);
            if (mode == null) {
                throw new CliException(ExitCodes.NO_AGENT, "the agent did not start in " + jvm
                        + ": that JVM's stderr has an [imdsv2-agent] ERROR line saying why");
            }
            String asked = requestedMode(arguments);
            if (asked != null && !asked.equals(mode)) {
                throw new CliException(ExitCodes.NO_AGENT, jvm + ": asked for mode " + asked + ", but the agent there reports"
                        + " mode " + mode + "; that JVM's stderr has an [imdsv2-agent] line saying why");
            }
            String applied = arguments.isEmpty() ? "" : " with " + arguments;
            out.println(jvm + ": " + (previousVersion == null
                    ? "loaded imdsv2-agent" + applied
                    : "reconfigured the imdsv2-agent " + previousVersion + " already there (mode was " + previousMode + ")" + applied)
                    + "; mode now " + mode);
            if (java >= 21 && !jvmArguments.contains(DYNAMIC_AGENT_FLAG)) {
                out.println("  note: " + jvm + " runs Java " + java + ", which prints \"WARNING: A Java agent has been"
                        + " loaded dynamically ...\" on its stderr for every attach. That is the JVM reporting this attach,"
                        + " not a fault. Start JVMs with " + DYNAMIC_AGENT_FLAG + " to avoid it;"
                        + " a future Java release will refuse attached agents without that flag.");
            }
            return null;
        });
    }

    /** The mode the arguments set, or null when they leave it as it is. */
    static String requestedMode(String arguments) {
        AgentConfig asked = ConfigLoader.load(arguments, new Properties(), Collections.<String, String>emptyMap());
        return asked.agentArguments().containsKey(ConfigLoader.MODE) ? asked.mode().configName() : null;
    }

    private void load(AttachApi.Connection connection, String jvm, String arguments) throws CliException {
        try {
            connection.loadAgent(agentJar, arguments);
        } catch (Exception e) {
            String message = String.valueOf(e.getMessage());
            String type = e.getClass().getSimpleName();
            if (type.equals("AgentLoadException") && message.equals("0")) {
                return; // a JDK 9+ attach client misreads a Java 8 JVM's "done"; the mode read back tells
            }
            if (message.contains("Dynamic agent loading is not enabled")) {
                throw new CliException(ExitCodes.CANNOT_ATTACH, jvm + " was started with -XX:-EnableDynamicAgentLoading,"
                        + " which forbids loading agents at run time. Restart it with -javaagent:imdsv2-agent.jar instead");
            }
            if (message.contains("not found") || message.contains("no Agent-Class")) {
                throw new CliException(ExitCodes.NO_AGENT, jvm + " could not open " + agentJar
                        + ": the jar must be readable by that JVM's user, at that path");
            }
            if (type.equals("AgentInitializationException")) {
                throw new CliException(ExitCodes.NO_AGENT, "the agent failed to start in " + jvm + " (" + message
                        + "); see that JVM's stderr");
            }
            throw new CliException(ExitCodes.NO_AGENT, "loading the agent into " + jvm + " failed: " + type + ": " + message);
        }
    }

    private static String join(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(text.length() == 0 ? "" : "; ").append(line);
        }
        return text.toString();
    }
}
