package io.spin.core.train;

/** A SPIN pair as token ids: chosen is the human response, rejected the policy's own sample. */
public record TokenizedPair(String id, int[] prompt, int[] chosen, int[] rejected) {
}
