package io.spin.core.generate;

/**
 * One sampled response.
 *
 * @param tokenIds generated tokens, EOS excluded
 * @param text decoded text
 * @param tokenCount tokens generated, EOS included when sampled
 * @param finishedByEos true when EOS was sampled, false when the length limit stopped it
 * @param logProb sum of the log-probabilities of the generated tokens (EOS included) under the policy at temperature 1
 */
public record Sample(int[] tokenIds, String text, int tokenCount, boolean finishedByEos, double logProb) {
}
