package io.spin.contract;

/**
 * Every size the system accepts beyond a dataset's own ({@code io.spin.data.DataLimits}: line, prompt, response, id,
 * examples), named once. They are chosen together: every record derived from input within them (a human response, a
 * generation request, a sample, a pair, a dead letter) fits {@link #RECORD_BYTES}, which every topic
 * (max.message.bytes), the broker (message.max.bytes, for Kafka Streams' own topics) and every producer
 * (max.request.size) are configured with, locally and on Kubernetes. Over a limit is refused at the door (400 naming
 * the file, line, field and limit), never found out by a broker.
 */
public final class Limits {
    /** The largest record any topic takes: max.message.bytes, message.max.bytes and max.request.size. */
    public static final int RECORD_BYTES = 8 << 20;
    /** A sample's text (UTF-8): longer text is cut at a character boundary; the token ids stay exact. */
    public static final int SAMPLE_TEXT_BYTES = 1 << 20;
    /** The original bytes a dead letter keeps; the rest is cut, and the dead letter says how long the original was. */
    public static final int DEAD_LETTER_ORIGINAL_BYTES = 1 << 20;
    /** Prompt or response tokens (maxPromptTokens, maxResponseTokens, sampling.maxNewTokens). */
    public static final int TOKENS = 131_072;
    public static final int ITERATIONS = 100;
    public static final int EPOCHS = 100;
    public static final int SAMPLES_PER_PROMPT = 64;
    /** Runs RUNNING at once in one installation: more are refused until one ends. */
    public static final int OPEN_RUNS = 32;

    private Limits() {
    }
}
