package io.spin.data.model;

import java.util.Map;

import io.spin.data.hf.HfConfig;

/**
 * Shape of the decoder. Two families share it: SPIN's own GPT (GPT-2's maths: learned positions, LayerNorm, GELU MLP,
 * tied output layer) and the Llama family (Llama, Mistral, Qwen2: rotary positions, RMSNorm, gated SiLU MLP, grouped
 * key/value heads), told apart by {@code architecture}, the Hugging Face class name the model exports as.
 *
 * @param layers number of decoder layers
 * @param width model width d (embedding size)
 * @param heads attention (query) heads; width must divide by it
 * @param contextLength most tokens (prompt + response) one sequence may hold
 * @param vocabSize tokenizer vocabulary, special tokens included
 * @param mlpWidth inner width of each layer's MLP (4 x width unless an imported model says otherwise)
 * @param activation the MLP's activation: {@link #GELU} (exact, erf), {@link #GELU_TANH} (GPT-2's tanh form) or
 *                   {@link #SILU} (the Llama family's gate)
 * @param normEps epsilon of the layer norms (LayerNorm or RMSNorm)
 * @param architecture GPT2LMHeadModel (SPIN's own models too), LlamaForCausalLM, MistralForCausalLM or Qwen2ForCausalLM
 * @param kvHeads key/value heads (grouped-query attention); heads must divide by it
 * @param ropeTheta base of the rotary embedding (Llama family)
 * @param tiedEmbeddings whether the output layer is the token embedding
 * @param attentionBias whether the q/k/v projections have biases (the output projection too, except for Qwen2)
 * @param maxPositions the model's own max_position_embeddings, which an export writes back (contextLength may be less:
 *                     a sliding window bounds it); 0 reads as contextLength
 */
public record ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize, int mlpWidth, String activation,
                          double normEps, String architecture, int kvHeads, double ropeTheta, Boolean tiedEmbeddings,
                          Boolean attentionBias, int maxPositions) {
    public static final String GELU = "gelu";
    public static final String GELU_TANH = "gelu_tanh";
    public static final String SILU = "silu";
    public static final String GPT2 = "GPT2LMHeadModel";
    public static final String LLAMA = "LlamaForCausalLM";

    /** Named sizes. tiny is for tests (well under 1M parameters), small for the demo (a few million). */
    public static final Map<String, ModelConfig> PRESETS = Map.of(
            "tiny", new ModelConfig(2, 64, 4, 256, 259),
            "small", new ModelConfig(4, 256, 8, 320, 259),
            "base", new ModelConfig(6, 384, 6, 512, 259),
            "llama-tiny", llama(2, 64, 4, 2, 256, 259, 176, 10000.0, false));

    /** The shape of SPIN's own models: MLP 4 x width, exact GELU, epsilon 1e-5. */
    public ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize) {
        this(layers, width, heads, contextLength, vocabSize, 0, null, 0);
    }

    /** A GPT-family model (what checkpoints written before the Llama family existed hold). */
    public ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize, int mlpWidth, String activation,
                       double normEps) {
        this(layers, width, heads, contextLength, vocabSize, mlpWidth, activation, normEps, null, 0, 0, null, null, 0);
    }

    /** A model whose own positions are its context. */
    public ModelConfig(int layers, int width, int heads, int contextLength, int vocabSize, int mlpWidth, String activation,
                       double normEps, String architecture, int kvHeads, double ropeTheta, Boolean tiedEmbeddings,
                       Boolean attentionBias) {
        this(layers, width, heads, contextLength, vocabSize, mlpWidth, activation, normEps, architecture, kvHeads, ropeTheta,
                tiedEmbeddings, attentionBias, 0);
    }

    /** A LlamaForCausalLM without attention biases, RMSNorm epsilon 1e-6. */
    public static ModelConfig llama(int layers, int width, int heads, int kvHeads, int contextLength, int vocabSize, int mlpWidth,
                                    double ropeTheta, boolean tiedEmbeddings) {
        return new ModelConfig(layers, width, heads, contextLength, vocabSize, mlpWidth, SILU, 1e-6, LLAMA, kvHeads, ropeTheta,
                tiedEmbeddings, false);
    }

    /** Fields a checkpoint does not have (written before they existed) read as 0/null: they mean SPIN's defaults. */
    public ModelConfig {
        architecture = architecture == null ? GPT2 : architecture;
        if (!HfConfig.ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException("architecture '" + architecture + "' is not one of " + HfConfig.ARCHITECTURES);
        }
        boolean gpt = architecture.equals(GPT2);
        mlpWidth = mlpWidth == 0 ? 4 * width : mlpWidth;
        activation = activation == null ? (gpt ? GELU : SILU) : activation;
        normEps = normEps == 0 ? 1e-5 : normEps;
        kvHeads = kvHeads == 0 ? heads : kvHeads;
        ropeTheta = ropeTheta == 0 ? 10000.0 : ropeTheta;
        tiedEmbeddings = tiedEmbeddings == null || tiedEmbeddings;
        attentionBias = attentionBias == null ? gpt : attentionBias;
        maxPositions = maxPositions == 0 ? contextLength : maxPositions;
        if (gpt ? !activation.equals(GELU) && !activation.equals(GELU_TANH) : !activation.equals(SILU)) {
            throw new IllegalArgumentException("activation '" + activation + "' is not one " + architecture + " has");
        }
        if (gpt && (kvHeads != heads || !tiedEmbeddings || !attentionBias)) {
            throw new IllegalArgumentException(GPT2 + " has one key/value head per head, tied embeddings and attention biases: " + this);
        }
        if (layers < 1 || width < 1 || heads < 1 || kvHeads < 1 || contextLength < 2 || vocabSize < 2) {
            throw new IllegalArgumentException("model sizes must be positive: " + this);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " must be divisible by heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " must be divisible by kvHeads " + kvHeads);
        }
        if (!gpt && (width / heads) % 2 != 0) {
            throw new IllegalArgumentException("rotary embeddings need an even head size, not " + width / heads);
        }
    }

    public static ModelConfig preset(String name) {
        ModelConfig config = PRESETS.get(name);
        if (config == null) {
            throw new IllegalArgumentException("unknown model preset '" + name + "'; known: " + PRESETS.keySet());
        }
        return config;
    }

    public HfConfig.Family family() {
        return architecture.equals(GPT2) ? HfConfig.Family.GPT2 : HfConfig.Family.LLAMA;
    }

    public int headSize() {
        return width / heads;
    }

    /** Width of the key (and value) projection: kvHeads x headSize. */
    public int kvWidth() {
        return kvHeads * headSize();
    }

    /** Whether the attention's output projection has a bias (Llama's attention_bias covers it, Qwen2's biases do not). */
    public boolean outputBias() {
        return attentionBias && !architecture.equals("Qwen2ForCausalLM");
    }

    /** Parameters of the model (a tied output layer counted once). */
    public long parameterCount() {
        long qkv = (long) width * (width + 2L * kvWidth()) + (attentionBias ? width + 2L * kvWidth() : 0);
        long out = (long) width * width + (outputBias() ? width : 0);
        if (family() == HfConfig.Family.GPT2) {
            long perLayer = 2L * 2 * width + qkv + out + (long) width * mlpWidth + mlpWidth + (long) mlpWidth * width + width;
            return (long) vocabSize * width + (long) contextLength * width + layers * perLayer + 2L * width;
        }
        long perLayer = 2L * width + qkv + out + 3L * width * mlpWidth;
        return (long) vocabSize * width * (tiedEmbeddings ? 1 : 2) + layers * perLayer + width;
    }
}
