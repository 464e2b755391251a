package io.spin.core.generate;

/** One response to sample: the formatted prompt's token ids, the settings, and the seed that fixes the draw. */
public record SampleRequest(int[] promptIds, SamplingSettings settings, long seed) {
}
