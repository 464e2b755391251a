package io.spin.core.generate;

/**
 * How to pick each next token.
 *
 * @param temperature softmax temperature; 0 means greedy
 * @param topP nucleus mass in (0, 1]; 1 disables it
 * @param topK keep the k most likely tokens; 0 disables it
 * @param maxNewTokens most tokens to generate (EOS included)
 */
public record SamplingSettings(double temperature, double topP, int topK, int maxNewTokens) {
    public SamplingSettings {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, not " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], not " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, not " + topK);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, not " + maxNewTokens);
        }
    }

    public static SamplingSettings greedy(int maxNewTokens) {
        return new SamplingSettings(0, 1, 0, maxNewTokens);
    }
}
