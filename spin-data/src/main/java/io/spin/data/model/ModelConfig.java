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
 * @param mlpWidth inner width of each layer's MLP (4 x width unless an imported model says otherwise)
 * @param activation the MLP's GELU: {@link #GELU} (exact, erf) or {@link #GELU_TANH} (GPT-2's tanh approximation)
 * @param normEps epsilon of the layer norms
 */
public record ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize, int mlpWidth, String activation,
                          double normEps) {
    public static final String GELU = "gelu";
    public static final String GELU_TANH = "gelu_tanh";

    /** Named sizes. tiny is for tests (well under 1M parameters), small for the demo (a few million). */
    public static final Map<String, ModelConfig> PRESETS = Map.of(
            "tiny", new ModelConfig(2, 64, 4, 256, 259),
            "small", new ModelConfig(4, 256, 8, 320, 259),
            "base", new ModelConfig(6, 384, 6, 512, 259));

    /** The shape of SPIN's own models: MLP 4 x width, exact GELU, epsilon 1e-5. */
    public ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize) {
        this(layers, width, heads, contextLength, vocabSize, 0, null, 0);
    }

    /** Checkpoints written before the last three fields existed read them as 0/null: they mean SPIN's defaults. */
    public ModelConfig {
        mlpWidth = mlpWidth == 0 ? 4 * width : mlpWidth;
        activation = activation == null ? GELU : activation;
        normEps = normEps == 0 ? 1e-5 : normEps;
        if (!activation.equals(GELU) && !activation.equals(GELU_TANH)) {
            throw new IllegalArgumentException("activation '" + activation + "' is neither " + GELU + " nor " + GELU_TANH);
        }
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
                + (long) width * mlpWidth + mlpWidth    // mlp in
                + (long) mlpWidth * width + width;      // mlp out
        return (long) vocabSize * width + (long) contextLength * width + layers * perLayer + 2L * width;
    }
}
