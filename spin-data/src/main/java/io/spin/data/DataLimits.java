package io.spin.data;

/**
 * The sizes a dataset may have, named once; the contract's {@code io.spin.contract.Limits} sizes every topic's records
 * so that whatever is derived from data within these limits fits. Over a limit, a file is refused naming the file,
 * the line, the field and the limit.
 */
public final class DataLimits {
    /** A JSONL line, checked before it is parsed (so an endless line is never held in memory). */
    public static final int LINE_BYTES = 3 << 20;
    /** A prompt with the turns before it (its context), UTF-8. */
    public static final int PROMPT_BYTES = 1 << 20;
    /** A human response, UTF-8. */
    public static final int RESPONSE_BYTES = 1 << 20;
    /** An example's id, UTF-8. */
    public static final int ID_BYTES = 256;
    /** Examples in one dataset file (the duplicate-id check keeps 12 bytes per example). */
    public static final int EXAMPLES = 5_000_000;

    private DataLimits() {
    }
}
