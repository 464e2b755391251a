package io.spin.data.model;

import java.util.Map;

/**
 * Shape of the decoder: layers, width, heads, context length and vocabulary size.
 *
 * @param layers number of decoder layers
 * @param width model width d (embedding size)
 * @param heads attention heads; width must divide by it
 * @param contextLength most tokens (prompt + response) one sequence may hold
 * @param vocabSize tokenizer vocabulary, special tokens included
 */
public record ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize) {

    /** Named sizes. tiny is for tests (well under 1M parameters), small for the demo (a few million). */
    public static final Map<String, ModelConfig> PRESETS = Map.of(
            "tiny", new ModelConfig(2, 64, 4, 256, 259),
            "small", new ModelConfig(4, 256, 8, 320, 259),
            "base", new ModelConfig(6, 384, 6, 512, 259));

    public ModelConfig {
        if (layers < 1 || width < 1 || heads < 1 || contextLength < 2 || vocabSize < 2) {
            throw new IllegalArgumentException("model sizes must be positive: " + this);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " must be divisible by heads " + heads);
        }
    }

    public static ModelConfig preset(String name) {
        ModelConfig config = PRESETS.get(name);
        if (config == null) {
            throw new IllegalArgumentException("unknown model preset '" + name + "'; known: " + PRESETS.keySet());
        }
        return config;
    }

    public int headSize() {
        return width / heads;
    }

    /** Parameters of the model (the output layer is tied to the token embedding, so counted once). */
    public long parameterCount() {
        long perLayer = 2L * 2 * width             // two layer norms
                + (long) width * 3 * width + 3L * width // qkv
                + (long) width * width + width        // attention output
                + (long) width * 4 * width + 4L * width // mlp in
                + 4L * width * width + width;          // mlp out
        return (long) vocabSize * width + (long) contextLength * width + layers * perLayer + 2L * width;
    }
}
