package io.spin.data;

/**
 * SPIN's pairing rule, defined once for the pair builder and the experiment: chosen is the human response, rejected the
 * policy's own sample, with how close the sample came (exact match, normalised edit similarity).
 */
public record SpinPair(String chosen, String rejected, boolean exactMatch, double similarity) {

    public static SpinPair of(String humanResponse, String generated) {
        return new SpinPair(humanResponse, generated, humanResponse.equals(generated),
                TextSimilarity.normalisedEditSimilarity(humanResponse, generated));
    }
}
