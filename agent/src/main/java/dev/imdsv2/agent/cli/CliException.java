package dev.imdsv2.agent.cli;

/** A failure the CLI reports as one line, with the exit code a script can test; never a stack trace. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
