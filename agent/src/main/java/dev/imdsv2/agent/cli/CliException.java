package dev.imdsv2.agent.cli;

/** A failure the CLI reports as one line, with the exit code a script can test; never a stack trace. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final boolean showUsage;

    CliException(int exitCode, String message) {
        this(exitCode, message, false);
    }

    private CliException(int exitCode, String message, boolean showUsage) {
        super(message);
        this.exitCode = exitCode;
        this.showUsage = showUsage;
    }

    /** A command line of the wrong shape: the line naming what is wrong is followed by the usage. */
    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message, true);
    }

    int exitCode() {
        return exitCode;
    }

    boolean showUsage() {
        return showUsage;
    }
}
