package io.spin.cli;

/** The CLI's exit codes, the same for every command (README, "Exit codes"). */
public final class ExitCodes {
    /** Done; a run COMPLETED. */
    public static final int OK = 0;
    /** Something went wrong: a service unreachable, a request refused, a file unreadable. The message says what. */
    public static final int ERROR = 1;
    /** The command line itself is wrong: an unknown option, a bad option value (named). */
    public static final int USAGE = 2;
    /** What was asked about does not exist or is not running: a run, a service, a checkpoint, the stack. */
    public static final int NOT_FOUND = 3;
    /** The run ended FAILED. */
    public static final int RUN_FAILED = 4;
    /** The run ended CANCELLED. */
    public static final int RUN_CANCELLED = 5;
    /** A replay differs from the recorded snapshot. */
    public static final int MISMATCH = 6;

    private ExitCodes() {
    }
}
