package io.spin.core.train;

/** An SFT example as token ids: formatted prompt (BOS + template) and response (+ EOS unless truncated). */
public record TokenizedExample(String id, int[] prompt, int[] response) {
}
